/**
 * Starts the pack the way the Pulumi CLI does (`@pulumi/pulumi/cmd/run-policy-pack` in the pack's
 * folder, which compiles it with ts-node and resolves modules from the root node_modules) and
 * talks to its analyzer over gRPC on 127.0.0.1, as the engine would during a preview.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { RULES } from "../../policy-pack/policies";
import { urnOf } from "./support/fixtures";

const PACK_DIR = join(__dirname, "../../policy-pack");
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const LEVELS = ["advisory", "mandatory"];

/** Spawns the pack and resolves with the port it prints once its server listens. */
function startPack(): Promise<{ child: ChildProcess; port: number }> {
    const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."], {
        cwd: PACK_DIR,
        stdio: ["ignore", "pipe", "pipe"],
    });
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        child.stderr!.on("data", (chunk) => (stderr += chunk));
        child.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const line = /^(\d+)\s*$/m.exec(stdout);
            if (line) resolve({ child, port: Number(line[1]) });
        });
        child.on("exit", (code) => reject(new Error(`policy pack exited with ${code} before listening:\n${stderr}${stdout}`)));
    });
}

type Callback<Res> = (error: grpc.ServiceError | null, response: Res) => void;
const unary = <Res>(invoke: (callback: Callback<Res>) => unknown) =>
    new Promise<Res>((resolve, reject) => invoke((error, response) => (error ? reject(error) : resolve(response))));

interface Diagnostic {
    policy: string;
    urn: string;
    message: string;
    level: string;
}
const diagnostics = (response: pb.AnalyzeResponse): Diagnostic[] =>
    response.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), urn: d.getUrn(), message: d.getMessage(), level: LEVELS[d.getEnforcementlevel()] }));

function resource<T extends pb.AnalyzeRequest | pb.AnalyzerResource>(
    message: T,
    type: string,
    name: string,
    props: Record<string, unknown>,
): T {
    const options = new pb.AnalyzerResourceOptions();
    options.setProtect(false);
    message.setType(type);
    message.setName(name);
    message.setUrn(urnOf(type, name));
    message.setProperties(Struct.fromJavaScript(props as Record<string, any>));
    message.setOptions(options);
    return message;
}

const descriptionOf = (name: string) => RULES.find((r) => r.name === name)!.description;

describe("policy pack under the Pulumi policy runner", function () {
    let child: ChildProcess;
    let client: AnalyzerClient;

    before(async function () {
        this.timeout(120_000); // ts-node type-checks the pack at start-up, as it does under the CLI
        const started = await startPack();
        child = started.child;
        client = new AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
    });

    const analyzeOne = (request: pb.AnalyzeRequest) => unary<pb.AnalyzeResponse>((cb) => client.analyze(request, cb));

    after(() => {
        client?.close();
        child?.kill();
    });

    it("announces the pack, its version and every policy with its enforcement level", async () => {
        const info = await unary<pb.AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
        assert.strictEqual(info.getName(), "stark-ballot-simulator-guardrails");
        assert.strictEqual(info.getVersion(), "0.1.0");
        assert.deepStrictEqual(
            info.getPoliciesList().map((p) => [p.getName(), LEVELS[p.getEnforcementlevel()]]),
            RULES.map((r) => [r.name, r.enforcementLevel]),
        );
    });

    it("reports a resource violation with the policy's description and the rule's message", async () => {
        const plain = await analyzeOne(resource(new pb.AnalyzeRequest(), "aws:sqs/queue:Queue", "q", { name: "q" }));
        assert.deepStrictEqual(diagnostics(plain), [
            {
                policy: "sqs-queue-encryption",
                urn: "",
                message: `${descriptionOf("sqs-queue-encryption")}\nqueue must encrypt messages at rest (sqsManagedSseEnabled: true or kmsMasterKeyId)`,
                level: "mandatory",
            },
        ]);
        const encrypted = await analyzeOne(resource(new pb.AnalyzeRequest(), "aws:sqs/queue:Queue", "q", { name: "q", sqsManagedSseEnabled: true }));
        assert.deepStrictEqual(diagnostics(encrypted), []);
    });

    it("loads the IAM catalogue inside the pack", async () => {
        const policy = JSON.stringify({ Statement: [{ Sid: "Invoke", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*" }] });
        const response = await analyzeOne(resource(new pb.AnalyzeRequest(), "aws:iam/rolePolicy:RolePolicy", "p", { policy }));
        assert.deepStrictEqual(diagnostics(response), [
            {
                policy: "iam-resource-wildcard-only-when-required",
                urn: "",
                message: `${descriptionOf("iam-resource-wildcard-only-when-required")}\npolicy: statement "Invoke" allows Resource "*" for actions that accept a narrower resource: lambda:InvokeFunction`,
                level: "mandatory",
            },
        ]);
    });

    it("downgrades a policy to advisory when a preview does not know the value yet", async () => {
        const response = await analyzeOne(resource(new pb.AnalyzeRequest(), "aws:iam/rolePolicy:RolePolicy", "p", { policy: UNKNOWN_STRING }));
        assert.deepStrictEqual(
            diagnostics(response).map((d) => [d.policy, d.level]),
            [
                ["iam-no-wildcard-actions", "advisory"],
                ["iam-resource-wildcard-only-when-required", "advisory"],
                ["iam-known-actions", "advisory"],
            ],
        );
        assert.match(diagnostics(response)[0].message, /can't run policy 'iam-no-wildcard-actions' .* during preview/);
    });

    it("judges the stack through property dependencies and the provider's Environment tag", async () => {
        const provider = new pb.AnalyzerProviderResource();
        provider.setType("pulumi:providers:aws");
        provider.setName("default");
        provider.setUrn("urn:pulumi:test::stark-ballot-simulator::pulumi:providers:aws::default");
        provider.setProperties(Struct.fromJavaScript({ defaultTags: JSON.stringify({ tags: { Environment: "main" } }) }));
        const bucket = resource(new pb.AnalyzerResource(), "aws:s3/bucket:Bucket", "bundles", { bucket: UNKNOWN_STRING });
        const block = resource(new pb.AnalyzerResource(), "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bundles-pab", {
            bucket: UNKNOWN_STRING,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        const dependency = new pb.AnalyzerPropertyDependencies();
        dependency.setUrnsList([bucket.getUrn()]);
        block.getPropertydependenciesMap().set("bucket", dependency);
        for (const r of [bucket, block]) r.setProvider(provider);
        const request = new pb.AnalyzeStackRequest();
        request.setResourcesList([bucket, block]);

        const response = await unary<pb.AnalyzeResponse>((cb) => client.analyzeStack(request, cb));
        assert.deepStrictEqual(
            diagnostics(response).map((d) => [d.policy, d.urn, d.message.split("\n")[1]]),
            [
                [
                    "s3-bucket-encryption",
                    bucket.getUrn(),
                    "bucket has no default server-side encryption (a BucketServerSideEncryptionConfiguration rule with sseAlgorithm AES256, aws:kms or aws:kms:dsse)",
                ],
                ["s3-bucket-tls-only", bucket.getUrn(), "bucket has no bucket policy denying requests without TLS"],
                ["s3-bucket-lifecycle", bucket.getUrn(), "bucket has no lifecycle configuration with an enabled rule"],
                ["stateful-resources-protected", bucket.getUrn(), "stateful resource must be protected in main (protect: true)"],
            ],
        );
    });
});
