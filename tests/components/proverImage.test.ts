import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { SynthResult } from "../../scripts/lib/synthesize";
import * as fs from "node:fs";
import * as os from "node:os";
import { buildContextTag, isDockerIgnored, splitDigestReference } from "../../components/proverImage";
import { find, findAll, json, synth } from "../support/synth";

const ROOT = path.resolve(__dirname, "..", "..");
/** Pulumi's wire marker of a secret value (sdk/nodejs/runtime/rpc.ts, specialSigKey / specialSecretSig). */
const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
const REPOSITORY_URL = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/stark-ballot-simulator-prover-develop";
const PREBUILT_DIGEST = `sha256:${"b".repeat(64)}`;
/** A prebuilt image in the stack's own registry, in a repository the bootstrap stack's signing rule covers. */
const PREBUILT = `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/stark-ballot-simulator-prover-shared@${PREBUILT_DIGEST}`;

function definition(r: SynthResult) {
    return json(find(r, "aws:sfn/stateMachine:StateMachine", "prover-dispatcher"), "definition");
}
function containerImage(r: SynthResult): string {
    return json(find(r, "aws:ecs/taskDefinition:TaskDefinition", "prover-task"), "containerDefinitions")[0].image;
}

describe("prover image", function () {
    describe("built by the program (committed develop stack)", () => {
        let r: SynthResult;
        let mockedDigest: string;
        before(async () => {
            r = await synth("develop");
            const image = find(r, "docker:index/image:Image", "prover-image");
            // The mock registry answers with a digest of the build inputs, as a registry would of the image.
            mockedDigest = `sha256:${createHash("sha256").update(JSON.stringify(image.inputs.build)).digest("hex")}`;
        });

        it("builds the Dockerfile for linux/arm64 with the zkVM host image as a build argument, never during preview", () => {
            const image = find(r, "docker:index/image:Image", "prover-image").inputs;
            // A tag per build (the repository's tags are immutable): the context's own tag, never "prover" or "latest".
            const tag = buildContextTag(ROOT, path.join(ROOT, "prover/Dockerfile"), "linux/arm64", { ZKVM_HOST_IMAGE: "ghcr.io/stark-ballot-simulator/zkvm-host:1.0.0" });
            assert.match(tag, /^build-[0-9a-f]{16}$/);
            assert.equal(image.imageName, `${REPOSITORY_URL}:${tag}`);
            assert.equal(image.build.context, ROOT);
            assert.equal(image.build.dockerfile, path.join(ROOT, "prover/Dockerfile"));
            assert.equal(image.build.platform, "linux/arm64");
            assert.deepEqual(image.build.args, { ZKVM_HOST_IMAGE: "ghcr.io/stark-ballot-simulator/zkvm-host:1.0.0" });
            assert.equal(image.buildOnPreview, false);
        });

        it("pushes with ECR credentials, keeping the password secret", () => {
            const registry = find(r, "docker:index/image:Image", "prover-image").inputs.registry;
            // A secret reaches the engine wrapped in Pulumi's secret signature (here the whole
            // registry object, since it holds the password), never as a bare string in state.
            assert.equal(registry[SECRET_SIGNATURE_KEY], SECRET_SIGNATURE);
            assert.deepEqual(registry.value, { server: REPOSITORY_URL, username: "AWS", password: "offline-registry-password" });
            // The program's only provider calls: the account context, the AZs, and ECR's token for the push.
            assert.deepEqual(r.invokes, [
                "aws:index/getCallerIdentity:getCallerIdentity",
                "aws:index/getRegion:getRegion",
                "aws:index/getPartition:getPartition",
                "aws:index/getAvailabilityZones:getAvailabilityZones",
                "aws:ecr/getAuthorizationToken:getAuthorizationToken",
            ]);
        });

        it("runs and checks the pushed digest, never a tag", () => {
            assert.equal(containerImage(r), `${REPOSITORY_URL}@${mockedDigest}`);
            const payload = definition(r).States.VerifyImageSignature.Parameters.Payload;
            assert.deepEqual(payload, { registryId: "123456789012", repositoryName: "stark-ballot-simulator-prover-develop", imageDigest: mockedDigest, allowHighScanFindings: false });
            assert.equal(r.outputs.proverImageUri, `${REPOSITORY_URL}@${mockedDigest}`);
        });
    });

    describe("prebuilt, digest-pinned", () => {
        let r: SynthResult;
        before(async () => {
            r = await synth("develop", { configOverrides: { "stark-ballot-simulator:proverImage": { uri: PREBUILT } } });
        });

        it("builds nothing and asks for no registry credentials", () => {
            assert.equal(findAll(r, "docker:index/image:Image").length, 0);
            assert.ok(!r.invokes.includes("aws:ecr/getAuthorizationToken:getAuthorizationToken"));
        });

        it("runs, gates and exports exactly the configured digest, in its own repository", () => {
            assert.equal(containerImage(r), PREBUILT);
            assert.deepEqual(definition(r).States.VerifyImageSignature.Parameters.Payload, {
                registryId: "123456789012",
                repositoryName: "stark-ballot-simulator-prover-shared",
                imageDigest: PREBUILT_DIGEST,
                allowHighScanFindings: false,
            });
            assert.equal(r.outputs.proverImageUri, PREBUILT);
            const pull = JSON.parse(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-task-execution-policy").inputs.policy).Statement.find(
                (s: any) => s.Sid === "PullProverImage",
            );
            assert.equal(pull.Resource, "arn:aws:ecr:ap-northeast-1:123456789012:repository/stark-ballot-simulator-prover-shared");
            const signing = JSON.parse(find(r, "aws:iam/rolePolicy:RolePolicy", "prover-check-image-signature-policy").inputs.policy).Statement.find(
                (s: any) => s.Sid === "DescribeProverImageSigningAndScan",
            );
            assert.equal(signing.Resource, "arn:aws:ecr:ap-northeast-1:123456789012:repository/stark-ballot-simulator-prover-shared");
        });
    });

    describe("the tag of a build", () => {
        let dir: string;
        let dockerfile: string;
        const tag = (args: Record<string, string> = { A: "1" }) => buildContextTag(dir, dockerfile, "linux/arm64", args);
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "image-tag-"));
            fs.writeFileSync(path.join(dir, ".dockerignore"), "**/node_modules\ntests\n*.log\n!keep.log\n");
            fs.mkdirSync(path.join(dir, "src"));
            fs.writeFileSync(path.join(dir, "src/a.ts"), "one");
            dockerfile = path.join(dir, "Dockerfile");
            fs.writeFileSync(dockerfile, "FROM scratch\n");
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("stays the same for the same context, so a deploy without changes pushes nothing", () => {
            assert.equal(tag(), tag());
        });

        it("changes with any file the build sees, the Dockerfile, or a build argument", () => {
            const before = tag();
            fs.writeFileSync(path.join(dir, "src/a.ts"), "two");
            const edited = tag();
            assert.notEqual(edited, before);
            fs.writeFileSync(path.join(dir, "src/b.ts"), "");
            assert.notEqual(tag(), edited);
            const added = tag();
            fs.writeFileSync(dockerfile, "FROM scratch\nENV X=1\n");
            assert.notEqual(tag(), added);
            assert.notEqual(tag({ A: "2" }), tag());
            fs.writeFileSync(path.join(dir, "keep.log"), "re-included");
            assert.notEqual(tag(), added);
        });

        it("ignores what .dockerignore keeps out of the context", () => {
            const before = tag();
            fs.mkdirSync(path.join(dir, "src/node_modules"));
            fs.writeFileSync(path.join(dir, "src/node_modules/x.js"), "x");
            fs.mkdirSync(path.join(dir, "tests"));
            fs.writeFileSync(path.join(dir, "tests/t.ts"), "t");
            fs.writeFileSync(path.join(dir, "debug.log"), "l");
            assert.equal(tag(), before);
            assert.equal(isDockerIgnored("**/node_modules\n", "a/b/node_modules/c"), true);
            assert.equal(isDockerIgnored("*.log\n!keep.log\n", "keep.log"), false);
        });

        it("sees a file that a `!` pattern brings back from an excluded directory, and only that one", () => {
            fs.writeFileSync(path.join(dir, ".dockerignore"), "docs\n!docs/keep.md\n");
            fs.mkdirSync(path.join(dir, "docs"));
            fs.writeFileSync(path.join(dir, "docs/keep.md"), "one");
            fs.writeFileSync(path.join(dir, "docs/other.md"), "one");
            const before = tag();
            fs.writeFileSync(path.join(dir, "docs/other.md"), "two");
            assert.equal(tag(), before);
            fs.writeFileSync(path.join(dir, "docs/keep.md"), "two");
            assert.notEqual(tag(), before);
        });
    });

    describe(".dockerignore: Docker's own matching (@balena/dockerignore)", () => {
        // https://docs.docker.com/build/concepts/context/#dockerignore-files
        const cases: [string, string, string, boolean][] = [
            ["a directory excludes what is under it", "tests\n", "tests/prover/a.test.ts", true],
            ["** at the start matches any depth", "**/node_modules\n", "policy-pack/node_modules/x/index.js", true],
            ["** matches zero directories too", "a/**/b\n", "a/b", true],
            ["* stays within one path segment", "*.ts\n", "src/a.ts", false],
            ["a character class (filepath.Match)", "build-[0-9]\n", "build-7", true],
            ["a pattern is cleaned first: ./", "./tests\n", "tests/a", true],
            ["a pattern is cleaned first: ..", "tests/../dist\n", "dist/x", true],
            ["surrounding spaces are trimmed", "  tests  \n", "tests/x", true],
            ["the last matching pattern wins", "*.log\n!keep.log\n", "keep.log", false],
            ["an exception inside an excluded directory", "docs\n!docs/keep.md\n", "docs/keep.md", false],
            ["the rest of that directory stays out", "docs\n!docs/keep.md\n", "docs/other.md", true],
            ["a comment is no pattern", "#comment\n", "#comment", false],
            ["everything but one directory", "*\n!prover\n", "prover/runner/main.ts", false],
        ];
        for (const [name, dockerignore, file, ignored] of cases) {
            it(name, () => assert.equal(isDockerIgnored(dockerignore, file), ignored));
        }
    });

    describe("prebuilt elsewhere: rejected before anything is registered", () => {
        const cases: [string, string, string[]][] = [
            [
                "another account and region, an unsigned repository",
                `210987654321.dkr.ecr.us-west-2.amazonaws.com/shared/prover@${PREBUILT_DIGEST}`,
                [
                    "stark-ballot-simulator:proverImage.uri: the image lives in account 210987654321, region us-west-2; the image gate checks signatures in the stack's own registry (account 123456789012, region ap-northeast-1): push the image there",
                    'stark-ballot-simulator:proverImage.uri: repository "shared/prover" is not covered by the bootstrap stack\'s signing rule (stark-ballot-simulator-prover-*): its images are never signed',
                ],
            ],
            [
                "the stack's account in another region",
                `123456789012.dkr.ecr.us-east-1.amazonaws.com/stark-ballot-simulator-prover-develop@${PREBUILT_DIGEST}`,
                [
                    "stark-ballot-simulator:proverImage.uri: the image lives in account 123456789012, region us-east-1; the image gate checks signatures in the stack's own registry (account 123456789012, region ap-northeast-1): push the image there",
                ],
            ],
        ];
        for (const [label, uri, problems] of cases) {
            it(label, async () => {
                const error = await synth("develop", { configOverrides: { "stark-ballot-simulator:proverImage": { uri } } }).then(
                    () => assert.fail("synthesis should fail"),
                    (e: Error & { registeredResources?: number }) => e,
                );
                assert.equal(error.message, `Invalid configuration for stack "develop" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
                assert.equal(error.registeredResources, 0);
            });
        }
    });

    it("splits digest references and refuses tags", () => {
        assert.deepEqual(splitDigestReference(PREBUILT), { repository: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/stark-ballot-simulator-prover-shared", digest: PREBUILT_DIGEST });
        assert.throws(() => splitDigestReference(`${REPOSITORY_URL}:latest`), /is not pinned by a sha256 digest/);
    });
});
