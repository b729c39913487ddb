/** AppSync rules: IAM-only authorization, field logging without verbose content. */
import * as assert from "node:assert/strict";
import { checkAppSyncFieldLogging, checkAppSyncIamOnly } from "../../policy-pack/policies/appsync";

const ROLE = "arn:aws:iam::123456789012:role/data-logs";

describe("policy appsync-iam-only", () => {
    it("passes AWS_IAM without other providers", () => {
        assert.deepEqual(checkAppSyncIamOnly("", { authenticationType: "AWS_IAM" }), []);
        assert.deepEqual(checkAppSyncIamOnly("", { authenticationType: "AWS_IAM", additionalAuthenticationProviders: [] }), []);
    });
    it("fails an API key default and any additional provider", () => {
        assert.deepEqual(checkAppSyncIamOnly("", { authenticationType: "API_KEY" }), ['API must authorize with AWS_IAM only (authenticationType is "API_KEY")']);
        assert.deepEqual(checkAppSyncIamOnly("", { authenticationType: "AWS_IAM", additionalAuthenticationProviders: [{ authenticationType: "API_KEY" }] }), [
            "API must not add authentication providers (additionalAuthenticationProviders)",
        ]);
    });
});

describe("policy appsync-field-logging", () => {
    const LOG = "API must log failing fields (logConfig.fieldLogLevel ERROR or above, with cloudwatchLogsRoleArn)";
    it("passes ERROR or ALL with a role and without verbose content", () => {
        assert.deepEqual(checkAppSyncFieldLogging("", { logConfig: { cloudwatchLogsRoleArn: ROLE, fieldLogLevel: "ERROR", excludeVerboseContent: true } }), []);
        assert.deepEqual(checkAppSyncFieldLogging("", { logConfig: { cloudwatchLogsRoleArn: ROLE, fieldLogLevel: "ALL", excludeVerboseContent: true } }), []);
    });
    it("fails no logging, level NONE, no role, or verbose content", () => {
        assert.deepEqual(checkAppSyncFieldLogging("", {}), [LOG]);
        assert.deepEqual(checkAppSyncFieldLogging("", { logConfig: { cloudwatchLogsRoleArn: ROLE, fieldLogLevel: "NONE", excludeVerboseContent: true } }), [LOG]);
        assert.deepEqual(checkAppSyncFieldLogging("", { logConfig: { fieldLogLevel: "ERROR", excludeVerboseContent: true } }), [LOG]);
        assert.deepEqual(checkAppSyncFieldLogging("", { logConfig: { cloudwatchLogsRoleArn: ROLE, fieldLogLevel: "ERROR" } }), [
            "API logs must exclude verbose content (logConfig.excludeVerboseContent: true)",
        ]);
    });
});
