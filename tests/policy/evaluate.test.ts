import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { evaluatePolicies, POLICY_NAMES } from "../../policy-pack/policies";
import { POLICIES, RULES } from "../../policy-pack/policies";
import { asEvaluated, compliantStackResources, stackResource, urnOf } from "./support/fixtures";

const EXPECTED_NAMES = [
    "s3-bucket-public-access-block",
    "s3-bucket-encryption",
    "s3-bucket-tls-only",
    "s3-bucket-lifecycle",
    "sqs-queue-encryption",
    "sqs-queue-dead-letter",
    "ecr-scan-on-push",
    "ecr-lifecycle-policy",
    "ecs-task-awslogs",
    "ecs-task-non-root-user",
    "ecs-task-read-only-root-filesystem",
    "ecs-task-no-plaintext-secrets",
    "sfn-state-machine-logging",
    "cloudwatch-log-group-retention",
    "iam-no-wildcard-actions",
    "iam-resource-wildcard-only-when-required",
    "iam-known-actions",
    "iam-oidc-trust-pinned",
    "lambda-supported-runtime",
    "lambda-no-plaintext-secrets",
    "lambda-code-not-text",
    "apigateway-stage-access-logs",
    "apigateway-stage-throttling",
    "dynamodb-point-in-time-recovery",
    "appsync-iam-only",
    "appsync-field-logging",
    "cloudtrail-log-file-validation",
    "stateful-resources-protected",
    "iam-trust-condition-keys-sent",
    "ecs-fargate-spot-x86-only",
    "lambda-reserved-concurrency-fits-quota",
    "no-account-singletons-in-app-stack",
    "physical-names-per-stack",
];

describe("evaluatePolicies (offline evaluation of a synthesized stack)", () => {
    it("exports the policy names in report order", () => {
        assert.deepStrictEqual(POLICY_NAMES, EXPECTED_NAMES);
    });

    it("finds nothing in a compliant stack, in either environment", async () => {
        const resources = asEvaluated(compliantStackResources());
        assert.deepStrictEqual(await evaluatePolicies(resources, { environment: "develop" }), []);
        assert.deepStrictEqual(await evaluatePolicies(resources, { environment: "main" }), []);
    });

    it("reports each violation with its policy, resource URN and enforcement level", async () => {
        const resources = asEvaluated(compliantStackResources()).map((r) => {
            if (r.type === "aws:lambda/function:Function") return { ...r, inputs: { ...r.inputs, runtime: "nodejs20.x" } };
            if (r.type === "aws:iam/rolePolicy:RolePolicy") {
                return { ...r, inputs: { ...r.inputs, policy: JSON.stringify({ Statement: [{ Sid: "Typo", Effect: "Allow", Action: "sqs:SendMesage", Resource: "arn:aws:sqs:ap-northeast-1:123456789012:q" }] }) } };
            }
            return r.type === "aws:sqs/queue:Queue" ? { ...r, protect: false } : r;
        });
        assert.deepStrictEqual(await evaluatePolicies(resources, { environment: "main" }), [
            {
                policy: "iam-known-actions",
                resource: urnOf("aws:iam/rolePolicy:RolePolicy", "api-policy"),
                message: 'policy: statement "Typo" names unknown action "sqs:SendMesage"',
                enforcementLevel: "advisory",
            },
            {
                policy: "lambda-supported-runtime",
                resource: urnOf("aws:lambda/function:Function", "api"),
                message: 'runtime "nodejs20.x" is deprecated or out of support; use nodejs22.x or newer',
                enforcementLevel: "mandatory",
            },
            {
                policy: "stateful-resources-protected",
                resource: urnOf("aws:sqs/queue:Queue", "work-dlq"),
                message: "stateful resource must be protected in main (protect: true)",
                enforcementLevel: "mandatory",
            },
            {
                policy: "stateful-resources-protected",
                resource: urnOf("aws:sqs/queue:Queue", "work-queue"),
                message: "stateful resource must be protected in main (protect: true)",
                enforcementLevel: "mandatory",
            },
        ]);
    });

    it("lets outputs the synthesizer knows stand in for missing inputs in stack checks", async () => {
        const bucketless = asEvaluated(compliantStackResources()).map((r) =>
            r.type === "aws:s3/bucket:Bucket" ? { ...r, inputs: {}, outputs: { bucket: "bundles-123456789012" } } : r,
        );
        assert.deepStrictEqual(await evaluatePolicies(bucketless, { environment: "develop" }), []);
    });
});

describe("CrossGuard wrapping of the rules", () => {
    const policy = <T>(name: string) => POLICIES[RULES.findIndex((r) => r.name === name)] as unknown as T;

    function resourceArgs(type: string, props: Record<string, any>): ResourceValidationArgs {
        return { type, props, urn: urnOf(type, "r"), name: "r", opts: { protect: false } } as unknown as ResourceValidationArgs;
    }

    it("keeps each rule's name, description and enforcement level", () => {
        assert.deepStrictEqual(
            POLICIES.map((p) => [p.name, p.enforcementLevel]),
            RULES.map((r) => [r.name, r.enforcementLevel]),
        );
        assert.strictEqual(POLICIES[0].description, RULES[0].description);
    });

    it("reports a resource rule's messages for its types only", async () => {
        const runtime = policy<ResourceValidationPolicy>("lambda-supported-runtime");
        const reported: string[] = [];
        const validate = runtime.validateResource as (args: ResourceValidationArgs, report: (m: string) => void) => Promise<void>;
        await validate(resourceArgs("aws:lambda/function:Function", { runtime: "nodejs18.x" }), (m) => reported.push(m));
        await validate(resourceArgs("aws:sqs/queue:Queue", { runtime: "nodejs18.x" }), (m) => reported.push(m));
        assert.deepStrictEqual(reported, ['runtime "nodejs18.x" is deprecated or out of support; use nodejs22.x or newer']);
    });

    it("gives stack rules the engine's property dependencies, provider and policy config", async () => {
        const bucket = stackResource("aws:s3/bucket:Bucket", "b", { bucket: "b" });
        const provider = { type: "pulumi:providers:aws", urn: "urn:provider", name: "default", props: { defaultTags: '{"tags":{"Environment":"main"}}' } };
        const asPolicyResource = (r: typeof bucket, propertyDependencies: Record<string, PolicyResource[]> = {}) =>
            ({ ...r, opts: { protect: r.protect }, provider, dependencies: [], propertyDependencies }) as unknown as PolicyResource;
        const bucketResource = asPolicyResource(bucket);
        const block = asPolicyResource(
            stackResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {
                bucket: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            }),
            { bucket: [bucketResource] },
        );
        const run = async (name: string, config: Record<string, unknown>) => {
            const reported: Array<[string, string | undefined]> = [];
            const args = { resources: [bucketResource, block], getConfig: () => config } as unknown as StackValidationArgs;
            await policy<StackValidationPolicy>(name).validateStack(args, (message, urn) => reported.push([message, urn]));
            return reported;
        };
        assert.deepStrictEqual(await run("s3-bucket-public-access-block", {}), []);
        assert.deepStrictEqual(await run("stateful-resources-protected", {}), [["stateful resource must be protected in main (protect: true)", bucket.urn]]);
        assert.deepStrictEqual(await run("stateful-resources-protected", { environment: "develop" }), []);
    });

    it("declares the environment config of stateful-resources-protected", () => {
        assert.deepStrictEqual(policy<StackValidationPolicy>("stateful-resources-protected").configSchema?.properties.environment.enum, ["develop", "main"]);
    });
});

describe("policy-pack/README.md", () => {
    it("documents every policy, in report order, with its enforcement level", () => {
        const readme = readFileSync(join(__dirname, "../../policy-pack/README.md"), "utf8");
        const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \|[^|]+\| (mandatory|advisory) \|/gm)].map((m) => [m[1], m[2]]);
        assert.deepStrictEqual(rows, RULES.map((r) => [r.name, r.enforcementLevel]));
    });
});
