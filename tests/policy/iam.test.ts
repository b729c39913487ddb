import * as assert from "node:assert/strict";
import { policyDocumentsOf } from "../../policy-pack/lib/iamDocument";
import { IamCatalogue, loadIamCatalogue } from "../../policy-pack/lib/iamCatalogue";
import { checkIamKnownActions, checkIamResourceScoping, checkIamWildcardActions } from "../../policy-pack/policies/iam";
import { document } from "./support/fixtures";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TRUST = document({ Sid: "Trust", Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" });

describe("IAM policies", () => {
    let iam: IamCatalogue;
    before(async () => {
        iam = await loadIamCatalogue();
    });

    describe("policyDocumentsOf", () => {
        it("finds the trust policy and every inline policy of a role", () => {
            const props = { assumeRolePolicy: TRUST, inlinePolicies: [{ name: "logs", policy: "{}" }, { name: "empty" }] };
            assert.deepStrictEqual(policyDocumentsOf(ROLE, props), [
                { location: "assumeRolePolicy", document: TRUST },
                { location: 'inlinePolicies["logs"]', document: "{}" },
            ]);
        });
        it("finds `policy` of identity and resource policies, and nothing on other types", () => {
            for (const type of [ROLE_POLICY, "aws:iam/policy:Policy", "aws:s3/bucketPolicy:BucketPolicy", "aws:sqs/queuePolicy:QueuePolicy"]) {
                assert.deepStrictEqual(policyDocumentsOf(type, { policy: TRUST }), [{ location: "policy", document: TRUST }]);
            }
            assert.deepStrictEqual(policyDocumentsOf("aws:s3/bucket:Bucket", { policy: TRUST }), []);
        });
    });

    describe("iam-no-wildcard-actions", () => {
        it("passes named actions, and broad Deny statements", () => {
            const policy = document(
                { Sid: "Run", Effect: "Allow", Action: ["ecs:RunTask"], Resource: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/prover:*" },
                { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
            );
            assert.deepStrictEqual(checkIamWildcardActions(ROLE_POLICY, { policy }), []);
            assert.deepStrictEqual(checkIamWildcardActions(ROLE, { assumeRolePolicy: TRUST }), []);
        });
        it("reports `*`, `service:*` and NotAction grants, prefixed with where the document sits", () => {
            const policy = document(
                { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" },
                { Effect: "Allow", Action: ["s3:GetObject", "S3:*"], Resource: "arn:aws:s3:::b/*" },
                { Sid: "Inverse", Effect: "Allow", NotAction: ["iam:*"], Resource: "*" },
            );
            assert.deepStrictEqual(checkIamWildcardActions(ROLE, { assumeRolePolicy: TRUST, inlinePolicies: [{ name: "broad", policy }] }), [
                'inlinePolicies["broad"]: statement "Admin" allows wildcard action "*"',
                'inlinePolicies["broad"]: statement[1] allows wildcard action "S3:*"',
                'inlinePolicies["broad"]: statement "Inverse" allows NotAction, which grants every action except those listed',
            ]);
        });
        it("reports a document it cannot read (the other IAM rules stay silent about it)", () => {
            assert.deepStrictEqual(checkIamWildcardActions(ROLE_POLICY, { policy: "not json" }), ["policy: policy document is not a JSON object"]);
            assert.deepStrictEqual(checkIamResourceScoping(ROLE_POLICY, { policy: "not json" }, { iam }), []);
            assert.deepStrictEqual(checkIamKnownActions(ROLE_POLICY, { policy: "not json" }, { iam }), []);
        });
    });

    describe("iam-resource-wildcard-only-when-required", () => {
        it('passes Resource "*" on actions that accept nothing narrower', () => {
            const policy = document(
                { Sid: "Token", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                {
                    Sid: "LogDelivery",
                    Effect: "Allow",
                    Action: ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"],
                    Resource: "*",
                },
            );
            assert.deepStrictEqual(checkIamResourceScoping(ROLE_POLICY, { policy }, { iam }), []);
        });
        it('reports Resource "*" on actions that can be scoped, naming them', () => {
            const policy = document({ Sid: "Invoke", Effect: "Allow", Action: ["lambda:InvokeFunction", "xray:PutTraceSegments", "states:StartExecution"], Resource: "*" });
            assert.deepStrictEqual(checkIamResourceScoping("aws:iam/policy:Policy", { policy }, { iam }), [
                'policy: statement "Invoke" allows Resource "*" for actions that accept a narrower resource: lambda:InvokeFunction, states:StartExecution',
            ]);
        });
    });

    describe("iam-known-actions", () => {
        it("passes actions the catalogue knows, and reports the others", () => {
            const policy = document({ Sid: "Read", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectz"], Resource: "arn:aws:s3:::b/*" });
            assert.deepStrictEqual(checkIamKnownActions(ROLE_POLICY, { policy }, { iam }), ['policy: statement "Read" names unknown action "s3:GetObjectz"']);
            assert.deepStrictEqual(checkIamKnownActions(ROLE, { assumeRolePolicy: TRUST }, { iam }), []);
        });
    });
});
