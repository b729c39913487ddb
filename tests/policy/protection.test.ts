import * as assert from "node:assert/strict";
import { environmentTagOf, resolveEnvironment } from "../../policy-pack/lib/environment";
import { StackResource } from "../../policy-pack/lib/types";
import { STATEFUL_RESOURCE_TYPES, UNKNOWN_ENVIRONMENT_MESSAGE, checkStatefulProtection } from "../../policy-pack/policies/protection";
import { compliantStackResources, stackResource } from "./support/fixtures";

const provider = (environment: string) =>
    stackResource("pulumi:providers:aws", "default", { region: "ap-northeast-1", defaultTags: JSON.stringify({ tags: { Environment: environment, Project: "stark" } }) });

const unprotected = (resources: StackResource[]) => resources.map((r) => ({ ...r, protect: false }));
const PROTECT = "stateful resource must be protected in main (protect: true)";

describe("stateful-resources-protected", () => {
    it("lists the stateful types the program must protect in main", () => {
        assert.deepStrictEqual(STATEFUL_RESOURCE_TYPES, [
            "aws:s3/bucket:Bucket",
            "aws:s3/bucketV2:BucketV2",
            "aws:dynamodb/table:Table",
            "aws:ecr/repository:Repository",
            "aws:sqs/queue:Queue",
            "aws:cloudwatch/logGroup:LogGroup",
            "aws:cloudtrail/trail:Trail",
        ]);
    });

    it("passes a protected stack in main and an unprotected one in develop", () => {
        assert.deepStrictEqual(checkStatefulProtection(compliantStackResources(), { config: { environment: "main" } }), []);
        assert.deepStrictEqual(checkStatefulProtection(unprotected(compliantStackResources()), { config: { environment: "develop" } }), []);
    });

    it("reports every unprotected stateful resource in main, and nothing else", () => {
        const violations = checkStatefulProtection(unprotected(compliantStackResources()), { config: { environment: "main" } });
        assert.deepStrictEqual(violations, [
            { urn: "urn:pulumi:test::stark-ballot-simulator::aws:s3/bucket:Bucket::bundles", message: PROTECT },
            { urn: "urn:pulumi:test::stark-ballot-simulator::aws:sqs/queue:Queue::work-dlq", message: PROTECT },
            { urn: "urn:pulumi:test::stark-ballot-simulator::aws:sqs/queue:Queue::work-queue", message: PROTECT },
            { urn: "urn:pulumi:test::stark-ballot-simulator::aws:ecr/repository:Repository::repository", message: PROTECT },
            { urn: "urn:pulumi:test::stark-ballot-simulator::aws:cloudwatch/logGroup:LogGroup::api-logs", message: PROTECT },
            { urn: "urn:pulumi:test::stark-ballot-simulator::aws:dynamodb/table:Table::sessions", message: PROTECT },
            { urn: "urn:pulumi:test::stark-ballot-simulator::aws:cloudtrail/trail:Trail::trail", message: PROTECT },
        ]);
    });

    it("reports service deletion guards switched off in main", () => {
        const resources = [
            stackResource("aws:dynamodb/table:Table", "t", { deletionProtectionEnabled: false }, { protect: true }),
            stackResource("aws:s3/bucket:Bucket", "b", { bucket: "b", forceDestroy: true }, { protect: true }),
            stackResource("aws:ecr/repository:Repository", "r", { name: "r", forceDelete: true }, { protect: true }),
        ];
        assert.deepStrictEqual(
            checkStatefulProtection(resources, { config: { environment: "main" } }).map((v) => v.message),
            [
                "table must enable deletion protection in main (deletionProtectionEnabled: true)",
                "bucket must not set forceDestroy in main (a delete would empty it first)",
                "repository must not set forceDelete in main (a delete would discard its images)",
            ],
        );
        assert.deepStrictEqual(checkStatefulProtection(resources, { config: { environment: "develop" } }), []);
    });

    it("reads the environment from the AWS provider's Environment default tag when no config pins it", () => {
        const resources = [...unprotected(compliantStackResources()).slice(0, 1)];
        assert.deepStrictEqual(checkStatefulProtection([...resources, provider("main")], { config: {} }), [{ urn: resources[0].urn, message: PROTECT }]);
        assert.deepStrictEqual(checkStatefulProtection([...resources, provider("develop")], { config: {} }), []);
        assert.deepStrictEqual(checkStatefulProtection([...resources, provider("main")], { config: { environment: "develop" } }), []);
    });

    it("reports a stack whose environment it cannot tell", () => {
        assert.deepStrictEqual(checkStatefulProtection(compliantStackResources(), { config: {} }), [{ message: UNKNOWN_ENVIRONMENT_MESSAGE }]);
        assert.deepStrictEqual(checkStatefulProtection([provider("staging")], { config: { environment: "prod" } }), [{ message: UNKNOWN_ENVIRONMENT_MESSAGE }]);
    });
});

describe("resolveEnvironment", () => {
    it("reads defaultTags given as an object or as JSON, on provider resources or on a resource's provider", () => {
        assert.strictEqual(environmentTagOf({ defaultTags: { tags: { Environment: "main" } } }), "main");
        assert.strictEqual(environmentTagOf({ defaultTags: '{"tags":{"Environment":"develop"}}' }), "develop");
        assert.strictEqual(environmentTagOf({ region: "ap-northeast-1" }), undefined);
        const bucket = stackResource("aws:s3/bucket:Bucket", "b", {}, { providerProps: { defaultTags: { tags: { Environment: "develop" } } } });
        assert.strictEqual(resolveEnvironment({}, [bucket]), "develop");
    });

    it("lets main win when providers disagree", () => {
        assert.strictEqual(resolveEnvironment({}, [provider("develop"), provider("main")]), "main");
    });
});
