import * as assert from "node:assert/strict";
import { RawStackConfig, StackConfigError, parseStackConfig } from "../../stacks/config";
import { readStackFile } from "../../scripts/lib/synthesize";
import { APP_API_DEFAULTS } from "../../builders/appApiSettings";
import { PIPELINE_DEFAULTS } from "../../builders/proverPipelineSettings";
import { NETWORK_DEFAULTS } from "../../builders/networkSettings";
import { rawDevelop } from "./support/rawConfig";

const DIGEST = "a".repeat(64);

/** A valid develop configuration, in the raw form the loader produces. */
const validRaw = (): RawStackConfig => rawDevelop({});

function problemsOf(mutate: (raw: RawStackConfig) => void): string[] {
    const raw = validRaw();
    mutate(raw);
    try {
        parseStackConfig(raw);
    } catch (e) {
        assert.ok(e instanceof StackConfigError, `expected StackConfigError, got ${e}`);
        return [...e.problems];
    }
    assert.fail("configuration was accepted");
}

/** Turns a committed stack file into the raw config the loader would produce from it. */
function rawFromStackFile(stack: string): RawStackConfig {
    const { config } = readStackFile(stack);
    const project: Record<string, unknown> = {};
    const aws: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
        const [ns, name] = key.split(":");
        let decoded: unknown = value;
        try {
            decoded = JSON.parse(value);
        } catch {
            /* plain string */
        }
        (ns === "aws" ? aws : project)[name] = decoded;
    }
    return { stack, project, aws, secretsPresent: ["sessionCapabilitySecret", "voteEncryptionKey", "captchaSecret"] };
}

describe("stack configuration", () => {
    describe("committed stacks", () => {
        it("develop parses to the develop profile with parity defaults", () => {
            const s = parseStackConfig(rawFromStackFile("develop"));
            assert.equal(s.environment, "develop");
            assert.equal(s.profile.proofBundleExpirationDays, 7);
            assert.equal(s.profile.logRetentionDays, 7);
            assert.equal(s.profile.cloudTrail.enabled, false);
            assert.equal(s.profile.protectStatefulResources, false);
            assert.equal(s.region, "ap-northeast-1");
            assert.equal(s.proofPrefix, "sessions/");
            assert.equal(s.dispatchConcurrency, 2);
            assert.equal(s.sessionCapabilityTtlSeconds, 86400);
            assert.equal(s.allowReproving, false);
            assert.equal(s.networkMode, "public");
            assert.deepEqual(s.proverTask, { cpu: 16384, memory: 32768, architecture: "ARM64", hostTimeoutSeconds: 900, useFargateSpot: false });
            assert.equal(s.proverImage.kind, "build");
        });

        it("main parses to the main profile", () => {
            const s = parseStackConfig(rawFromStackFile("main"));
            assert.equal(s.environment, "main");
            assert.equal(s.profile.proofBundleExpirationDays, 30);
            assert.equal(s.profile.logRetentionDays, 14);
            assert.deepEqual(s.profile.cloudTrail, { enabled: true, retentionDays: 90 });
            assert.equal(s.profile.protectStatefulResources, true);
        });
    });

    describe("defaults", () => {
        it("fills every default when keys are absent", () => {
            const raw = validRaw();
            const s = parseStackConfig(raw);
            assert.equal(s.region, "ap-northeast-1");
            assert.equal(s.proofPrefix, "sessions/");
            assert.equal(s.dispatchConcurrency, 2);
            assert.equal(s.dispatchReservedConcurrency, undefined);
            assert.equal(s.networkMode, "public");
            assert.deepEqual(s.bundleCorsOrigins, []);
            assert.deepEqual(s.alarmEmails, []);
            assert.equal(s.apiThrottling, undefined);
            assert.equal(s.customDomain, undefined);
            assert.equal(s.allowHighScanFindings, false);
            assert.deepEqual(s.proverImage, {
                kind: "prebuilt",
                uri: `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/stark-ballot-simulator-prover-develop@sha256:${DIGEST}`,
                registryAccountId: "123456789012",
                registryRegion: "ap-northeast-1",
                repositoryName: "stark-ballot-simulator-prover-develop",
                digest: `sha256:${DIGEST}`,
            });
        });

        it("an unset key takes the components' own default (one table each: PIPELINE_DEFAULTS, APP_API_DEFAULTS, NETWORK_DEFAULTS)", () => {
            const s = parseStackConfig(validRaw());
            assert.deepEqual(
                {
                    proofPrefix: s.proofPrefix,
                    cpu: s.proverTask.cpu,
                    memory: s.proverTask.memory,
                    hostTimeoutSeconds: s.proverTask.hostTimeoutSeconds,
                    dispatchConcurrency: s.dispatchConcurrency,
                    sessionCapabilityTtlSeconds: s.sessionCapabilityTtlSeconds,
                    maxConcurrentProofs: s.maxConcurrentProofs,
                    proofBudget: s.proofBudget,
                    networkMode: s.networkMode,
                },
                {
                    proofPrefix: PIPELINE_DEFAULTS.proofPrefix,
                    cpu: PIPELINE_DEFAULTS.cpu,
                    memory: PIPELINE_DEFAULTS.memory,
                    hostTimeoutSeconds: PIPELINE_DEFAULTS.hostTimeoutSeconds,
                    dispatchConcurrency: APP_API_DEFAULTS.dispatchConcurrency,
                    sessionCapabilityTtlSeconds: APP_API_DEFAULTS.sessionCapabilityTtlSeconds,
                    maxConcurrentProofs: PIPELINE_DEFAULTS.maxConcurrentProofs,
                    proofBudget: APP_API_DEFAULTS.proofBudget,
                    networkMode: NETWORK_DEFAULTS.mode,
                },
            );
        });

        it("keeps an explicit empty prefix and every configured non-default value", () => {
            // Each value differs from its default, so code that ignored the key (or replaced a falsy value
            // with the default through ||) would fail here.
            const raw = validRaw();
            raw.project.proofPrefix = "";
            raw.project.proverTask = { cpu: 8192, memory: 16384, hostTimeoutSeconds: 60 };
            raw.project.allowReproving = true;
            raw.project.sessionCapabilityTtlSeconds = 900;
            raw.project.networkMode = "private";
            const s = parseStackConfig(raw);
            assert.equal(s.proofPrefix, "");
            assert.deepEqual(s.proverTask, { cpu: 8192, memory: 16384, architecture: "ARM64", hostTimeoutSeconds: 60, useFargateSpot: false });
            assert.equal(s.allowReproving, true);
            assert.equal(s.sessionCapabilityTtlSeconds, 900);
            assert.equal(s.networkMode, "private");
        });

        it("a reservation is opt-in: equal to dispatchConcurrency is accepted, and kept", () => {
            const raw = validRaw();
            raw.project.dispatchConcurrency = 3;
            raw.project.dispatchReservedConcurrency = 3;
            const s = parseStackConfig(raw);
            assert.equal(s.dispatchConcurrency, 3);
            assert.equal(s.dispatchReservedConcurrency, 3);
        });

        it("the name scope is the stack name: develop and main keep their environment's names, a personal stack its own", () => {
            assert.equal(parseStackConfig(rawFromStackFile("develop")).nameScope, "develop");
            assert.equal(parseStackConfig(rawFromStackFile("main")).nameScope, "main");
            const raw = validRaw();
            raw.stack = "alice2";
            assert.equal(parseStackConfig(raw).nameScope, "alice2");
            raw.stack = "abcdefghijkl"; // 12 characters: the longest bundle bucket name is then 62 (S3 allows 63)
            assert.equal(parseStackConfig(raw).nameScope, "abcdefghijkl");
        });

        it("main with explicit empty browser origins (no browser client) is accepted", () => {
            const s = parseStackConfig(rawFromStackFile("main"));
            assert.deepEqual(s.bundleCorsOrigins, []);
            assert.deepEqual(s.apiCorsOrigins, []);
        });

        it("allowHighScanFindings: true is kept, false is kept", () => {
            for (const value of [true, false]) {
                const raw = validRaw();
                raw.project.allowHighScanFindings = value;
                assert.equal(parseStackConfig(raw).allowHighScanFindings, value);
            }
        });

        it("returns frozen settings", () => {
            assert.ok(Object.isFrozen(parseStackConfig(validRaw())));
        });
    });

    describe("rejections (one per rule, each naming the key)", () => {
        // Each case lists every problem the config yields, in order, word for word: a message cut short or a
        // follow-on problem that appears or disappears is a visible failure.
        const cases: Array<[string, (r: RawStackConfig) => void, string | string[]]> = [
            ["capability lifetime below a proof's 15 minutes", (r) => (r.project.sessionCapabilityTtlSeconds = 899), "stark-ballot-simulator:sessionCapabilityTtlSeconds: must be between 900 and 2592000"],
            ["re-proving not a boolean", (r) => (r.project.allowReproving = "yes"), "stark-ballot-simulator:allowReproving: must be true or false"],
            ["missing environment", (r) => delete r.project.environment, "stark-ballot-simulator:environment: required: one of develop, main"],
            ["unknown environment", (r) => (r.project.environment = "prod"), 'stark-ballot-simulator:environment: must be one of develop, main, got "prod"'],
            ["unknown key", (r) => (r.project.proofPrefx = "x/"), "stark-ballot-simulator:proofPrefx: unknown key (known keys: environment, deployerRoleArnPattern, proverImage, proverTask, proofPrefix, proofBucketName, bundleCorsOrigins, apiCorsOrigins, apiThrottling, customDomain, dispatchConcurrency, dispatchReservedConcurrency, alarmEmails, networkMode, apiHandlerPath, applicationBuilds, sessionCapabilityTtlSeconds, allowReproving, hosting, verifier, allowHighScanFindings, maxConcurrentProofs, proofsPerHour, proofsPerDay)"],
            ["bad region", (r) => (r.aws.region = "tokyo"), [
                    'aws:region: "tokyo" is not an AWS region name such as ap-northeast-1',
                    "stark-ballot-simulator:proverImage.uri: the image lives in account 123456789012, region ap-northeast-1; the image gate checks signatures in the stack's own registry (account 123456789012, region tokyo): push the image there",
                ]],
            ["no account", (r) => delete r.aws.allowedAccountIds, "aws:allowedAccountIds: required: a list of exactly one 12-digit AWS account id (the deploy refuses any other account)"],
            ["two accounts", (r) => (r.aws.allowedAccountIds = ["123456789012", "210987654321"]), "aws:allowedAccountIds: required: a list of exactly one 12-digit AWS account id (the deploy refuses any other account)"],
            ["short account", (r) => (r.aws.allowedAccountIds = ["12345"]), 'aws:allowedAccountIds: "12345" is not a 12-digit account id (quote it in YAML so leading zeros survive)'],
            ["no default tags", (r) => delete r.aws.defaultTags, "aws:defaultTags: required: tags: {Project, Environment, ManagedBy}"],
            ["missing ManagedBy tag", (r) => delete (r.aws.defaultTags as any).tags.ManagedBy, 'aws:defaultTags.tags.ManagedBy: required ("Pulumi")'],
            ["wrong Environment tag", (r) => ((r.aws.defaultTags as any).tags.Environment = "main"), 'aws:defaultTags.tags.Environment: must be "develop", got "main"'],
            ["wrong Project tag", (r) => ((r.aws.defaultTags as any).tags.Project = "other"), 'aws:defaultTags.tags.Project: must be "stark-ballot-simulator", got "other"'],
            ["missing secret", (r) => (r.secretsPresent = ["voteEncryptionKey", "captchaSecret"]), "stark-ballot-simulator:sessionCapabilitySecret: required secret is not set (pulumi config set --secret sessionCapabilitySecret <value>)"],
            ["plain-text secret", (r) => { r.secretsPresent = ["voteEncryptionKey", "captchaSecret"]; r.project.sessionCapabilitySecret = "x"; }, "stark-ballot-simulator:sessionCapabilitySecret: is stored in plain text: set it with pulumi config set --secret sessionCapabilitySecret <value>"],
            ["no prover image", (r) => delete r.project.proverImage, "stark-ballot-simulator:proverImage: required: either {uri: <ECR image>@sha256:<digest>} or {build: {context, dockerfile, buildArgs}}"],
            ["both uri and build", (r) => ((r.project.proverImage as any).build = { buildArgs: { ZKVM_HOST_IMAGE: "x/y:1" } }), "stark-ballot-simulator:proverImage: set exactly one of uri (a prebuilt, digest-pinned image) or build (built and pushed by the program)"],
            ["HIGH rule not a boolean", (r) => (r.project.allowHighScanFindings = "yes"), 'stark-ballot-simulator:allowHighScanFindings: must be true or false, got "yes"'],
            [
                "prebuilt image in another account",
                (r) => (r.project.proverImage = { uri: `210987654321.dkr.ecr.ap-northeast-1.amazonaws.com/stark-ballot-simulator-prover-develop@sha256:${DIGEST}` }),
                "stark-ballot-simulator:proverImage.uri: the image lives in account 210987654321, region ap-northeast-1; the image gate checks signatures in the stack's own registry (account 123456789012, region ap-northeast-1): push the image there",
            ],
            [
                "prebuilt image in a repository the signing rule does not cover",
                (r) => (r.project.proverImage = { uri: `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/prover@sha256:${DIGEST}` }),
                "stark-ballot-simulator:proverImage.uri: repository \"prover\" is not covered by the bootstrap stack's signing rule (stark-ballot-simulator-prover-*): its images are never signed",
            ],
            ["tagged image", (r) => (r.project.proverImage = { uri: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/prover:latest" }), 'stark-ballot-simulator:proverImage.uri: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/prover:latest" must be an ECR image pinned by digest (<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<64 hex>); tags such as :latest are rejected because ECR signing status is per digest'],
            ["short digest", (r) => (r.project.proverImage = { uri: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/prover@sha256:abc" }), 'stark-ballot-simulator:proverImage.uri: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/prover@sha256:abc" must be an ECR image pinned by digest (<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<64 hex>); tags such as :latest are rejected because ECR signing status is per digest'],
            ["non-ECR image", (r) => (r.project.proverImage = { uri: `ghcr.io/org/prover@sha256:${DIGEST}` }), `stark-ballot-simulator:proverImage.uri: "ghcr.io/org/prover@sha256:${DIGEST}" must be an ECR image pinned by digest (<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<64 hex>); tags such as :latest are rejected because ECR signing status is per digest`],
            ["build without host image", (r) => (r.project.proverImage = { build: {} }), "stark-ballot-simulator:proverImage.build.buildArgs.ZKVM_HOST_IMAGE: required: the zkVM host image the prover image copies its host binary, r0vm and RISC Zero settings from (prover/README.md)"],
            ["placeholder host image", (r) => (r.project.proverImage = { build: { buildArgs: { ZKVM_HOST_IMAGE: "<host image>" } } }), 'stark-ballot-simulator:proverImage.build.buildArgs.ZKVM_HOST_IMAGE: "<host image>" is a placeholder, not an image reference'],
            ["amd64 build", (r) => (r.project.proverImage = { build: { platform: "linux/amd64", buildArgs: { ZKVM_HOST_IMAGE: "x/y:1" } } }), 'stark-ballot-simulator:proverImage.build.platform: must be "linux/arm64" (the prover task runs on ARM64 Fargate)'],
            ["invalid Fargate size", (r) => (r.project.proverTask = { cpu: 16384, memory: 16384 }), "stark-ballot-simulator:proverTask.cpu/memory: memory 16384 is not valid with cpu 16384 (from 32768 to 122880 in steps of 8192)"],
            ["unknown cpu", (r) => (r.project.proverTask = { cpu: 3000, memory: 8192 }), "stark-ballot-simulator:proverTask.cpu/memory: cpu 3000 is not a Fargate size (one of 256, 512, 1024, 2048, 4096, 8192, 16384)"],
            ["x86 task", (r) => (r.project.proverTask = { architecture: "X86_64" }), "stark-ballot-simulator:proverTask.architecture: must be ARM64 (the prover image is built for linux/arm64)"],
            ["host timeout too long", (r) => (r.project.proverTask = { hostTimeoutSeconds: 7200 }), "stark-ballot-simulator:proverTask.hostTimeoutSeconds: must be between 60 and 3600"],
            [
                "Spot in main (which the ARM64 rule also refuses)",
                (r) => { r.project.environment = "main"; (r.aws.defaultTags as any).tags.Environment = "main"; r.project.bundleCorsOrigins = []; r.project.apiCorsOrigins = []; r.project.proverTask = { useFargateSpot: true }; },
                [
                    "stark-ballot-simulator:proverTask.useFargateSpot: is only allowed in develop (a reclaimed Spot task loses a proof in main)",
                    "stark-ballot-simulator:proverTask.useFargateSpot: must be false while the task is ARM64: AWS says \"Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider\", so every RunTask on Spot would fail",
                ],
            ],
            ["prefix without slash", (r) => (r.project.proofPrefix = "sessions"), 'stark-ballot-simulator:proofPrefix: "sessions" must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)'],
            ["prefix with format characters", (r) => (r.project.proofPrefix = "a{b}/"), 'stark-ballot-simulator:proofPrefix: "a{b}/" must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)'],
            ["bad bucket name", (r) => (r.project.proofBucketName = "Bad_Bucket"), 'stark-ballot-simulator:proofBucketName: "Bad_Bucket" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit)'],
            ["placeholder origin", (r) => (r.project.apiCorsOrigins = ["https://<your-domain>"]), 'stark-ballot-simulator:apiCorsOrigins[0]: "https://<your-domain>" is a placeholder or wildcard, not a concrete origin'],
            ["wildcard origin", (r) => (r.project.bundleCorsOrigins = ["*"]), 'stark-ballot-simulator:bundleCorsOrigins[0]: "*" is a placeholder or wildcard, not a concrete origin'],
            ["origin with path", (r) => (r.project.apiCorsOrigins = ["https://example.com/app"]), 'stark-ballot-simulator:apiCorsOrigins[0]: "https://example.com/app" must be exactly an origin (scheme://host[:port], no path or trailing slash)'],
            ["ftp origin", (r) => (r.project.apiCorsOrigins = ["ftp://example.com"]), 'stark-ballot-simulator:apiCorsOrigins[0]: "ftp://example.com" must use http:// or https://'],
            ["throttling half set", (r) => (r.project.apiThrottling = { burstLimit: 10 }), "stark-ballot-simulator:apiThrottling: set both burstLimit and rateLimit, or neither"],
            ["negative rate", (r) => (r.project.apiThrottling = { burstLimit: 10, rateLimit: -1 }), "stark-ballot-simulator:apiThrottling.rateLimit: must be a number greater than 0 and at most 10000 (requests per second)"],
            ["domain without certificate", (r) => (r.project.customDomain = { domainName: "api.example.com" }), "stark-ballot-simulator:customDomain: set both domainName and certificateArn, or neither"],
            ["bad certificate", (r) => (r.project.customDomain = { domainName: "api.example.com", certificateArn: "arn:aws:iam::123456789012:server-certificate/x" }), 'stark-ballot-simulator:customDomain.certificateArn: "arn:aws:iam::123456789012:server-certificate/x" is not an ACM certificate ARN'],
            ["concurrency below the event source minimum", (r) => (r.project.dispatchConcurrency = 1), "stark-ballot-simulator:dispatchConcurrency: must be between 2 and 100"],
            ["bad e-mail", (r) => (r.project.alarmEmails = ["ops"]), 'stark-ballot-simulator:alarmEmails[0]: "ops" is not an e-mail address'],
            ["unknown network mode", (r) => (r.project.networkMode = "nat"), 'stark-ballot-simulator:networkMode: must be "public" or "private", got "nat"'],
            ["bad deployer pattern", (r) => (r.project.deployerRoleArnPattern = "deployer"), "stark-ballot-simulator:deployerRoleArnPattern: must be an IAM/STS ARN pattern such as arn:aws:sts::123456789012:assumed-role/deployer/*"],
            // Issue 12: what AWS would reject, refused before anything is registered.
            ["Spot for the ARM64 task, even in develop", (r) => (r.project.proverTask = { useFargateSpot: true }), "stark-ballot-simulator:proverTask.useFargateSpot: must be false while the task is ARM64: AWS says \"Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider\", so every RunTask on Spot would fail"],
            ["no region (the provider would pick one the ARNs do not name)", (r) => delete r.aws.region, "aws:region: required: the region to deploy to, such as ap-northeast-1 (the provider and the ARNs the program derives must agree on it)"],
            ["fractional reservation", (r) => (r.project.dispatchReservedConcurrency = 2.5), "stark-ballot-simulator:dispatchReservedConcurrency: must be a positive integer (or unset: no reservation)"],
            ["zero reservation (would disable the dispatcher)", (r) => (r.project.dispatchReservedConcurrency = 0), "stark-ballot-simulator:dispatchReservedConcurrency: must be a positive integer (or unset: no reservation)"],
            ["reservation below the event source's maximum concurrency", (r) => { r.project.dispatchConcurrency = 4; r.project.dispatchReservedConcurrency = 3; }, "stark-ballot-simulator:dispatchReservedConcurrency: 3 must be at least dispatchConcurrency (4): an event source maximum concurrency above the reservation only throttles the poller, and throttled messages count toward the DLQ's 3 receives"],
            ["main without bundle origins", (r) => { r.project.environment = "main"; (r.aws.defaultTags as any).tags.Environment = "main"; r.project.apiCorsOrigins = []; }, "stark-ballot-simulator:bundleCorsOrigins: required in main: the application's browser origins (such as https://app.example.com), or [] to state that no browser calls the API"],
            ["main without API origins", (r) => { r.project.environment = "main"; (r.aws.defaultTags as any).tags.Environment = "main"; r.project.bundleCorsOrigins = []; }, "stark-ballot-simulator:apiCorsOrigins: required in main: the application's browser origins (such as https://app.example.com), or [] to state that no browser calls the API"],
            ["a stack named main deploying develop", (r) => (r.stack = "main"), "stack \"main\": a stack named \"main\" must deploy environment main: its physical names would be the main stack's"],
            ["a personal stack name with a hyphen", (r) => (r.stack = "alice-dev"), "stack \"alice-dev\": a personal stack's name is the suffix of every physical name it creates: use 1 to 12 lower-case letters and digits, starting with a letter (no hyphens)"],
            ["a personal stack name over 12 characters", (r) => (r.stack = "abcdefghijklm"), "stack \"abcdefghijklm\": a personal stack's name is the suffix of every physical name it creates: use 1 to 12 lower-case letters and digits, starting with a letter (no hyphens)"],
            ["an upper-case personal stack name", (r) => (r.stack = "Alice"), "stack \"Alice\": a personal stack's name is the suffix of every physical name it creates: use 1 to 12 lower-case letters and digits, starting with a letter (no hyphens)"],
        ];
        for (const [title, mutate, expected] of cases) {
            it(`rejects ${title}`, () => {
                assert.deepEqual(problemsOf(mutate), typeof expected === "string" ? [expected] : expected);
            });
        }
    });

    it("reports every problem at once, in one message", () => {
        const raw = validRaw();
        raw.project.environment = "prod";
        raw.project.proofPrefix = "no-slash";
        raw.project.apiCorsOrigins = ["<origin>"];
        raw.aws.allowedAccountIds = [];
        assert.throws(
            () => parseStackConfig(raw),
            (e: unknown) => {
                assert.ok(e instanceof StackConfigError);
                const problems = [
                    'stark-ballot-simulator:environment: must be one of develop, main, got "prod"',
                    "aws:allowedAccountIds: required: a list of exactly one 12-digit AWS account id (the deploy refuses any other account)",
                    'stark-ballot-simulator:proofPrefix: "no-slash" must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)',
                    'stark-ballot-simulator:apiCorsOrigins[0]: "<origin>" is a placeholder or wildcard, not a concrete origin',
                ];
                assert.deepEqual(e.problems, problems);
                assert.equal(e.message, [`Invalid configuration for stack "test" (4 problems):`, ...problems.map((p) => `  - ${p}`)].join("\n"));
                return true;
            },
        );
    });
});
