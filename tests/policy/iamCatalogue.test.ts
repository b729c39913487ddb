import * as assert from "node:assert/strict";
import {
    IamCatalogue,
    actionSupportsResourceScoping,
    isKnownAction,
    loadIamCatalogue,
    verifyPolicyDocument,
} from "../../scripts/lib/iamCatalogue";
import { document } from "./support/fixtures";

describe("IAM catalogue (scripts/lib/iamCatalogue)", () => {
    let catalogue: IamCatalogue;
    before(async () => {
        catalogue = await loadIamCatalogue();
    });

    it("loads once per process and reports the catalogue version it was built from", async () => {
        assert.strictEqual(await loadIamCatalogue(), catalogue);
        assert.strictEqual(catalogue.dataVersion, "0.21.202609261");
    });

    describe("isKnownAction", () => {
        const cases: Array<[string, boolean]> = [
            ["ecr:GetAuthorizationToken", true],
            ["s3:GetObject", true],
            ["S3:getobject", true], // IAM action names are case-insensitive
            ["logs:CreateLogDelivery", true],
            ["states:StartExecution", true],
            ["s3:GetObjectz", false],
            ["notaservice:GetObject", false],
            ["s3:Get*", true],
            ["s3:Getz*", false],
            ["s3:*", true],
            ["*", true],
            ["GetObject", false],
            ["s3:", false],
        ];
        for (const [action, known] of cases) {
            it(`${action} -> ${known}`, () => assert.strictEqual(isKnownAction(action), known));
        }
    });

    describe("actionSupportsResourceScoping", () => {
        const cases: Array<[string, boolean]> = [
            ["ecr:GetAuthorizationToken", false],
            ["logs:CreateLogDelivery", false],
            ["s3:GetObject", true],
            ["states:StartExecution", true],
            ["iam:PassRole", true],
            ["s3:GetObjectz", false],
            ["logs:*LogDelivery", false], // every action the pattern names needs "*"
            ["logs:*", true],
        ];
        for (const [action, scopable] of cases) {
            it(`${action} -> ${scopable}`, () => assert.strictEqual(actionSupportsResourceScoping(action), scopable));
        }
    });

    it("expands patterns to canonical action names", () => {
        assert.deepStrictEqual(catalogue.matchingActions("logs:*LogDelivery").sort(), [
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
        ]);
    });

    describe("verifyPolicyDocument", () => {
        it("finds nothing in a least-privilege document, as a string or as an object", () => {
            const doc = document(
                { Sid: "Token", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                { Sid: "Deliveries", Effect: "Allow", Action: ["logs:CreateLogDelivery", "logs:GetLogDelivery"], Resource: "*" },
                { Sid: "Start", Effect: "Allow", Action: "states:StartExecution", Resource: "arn:aws:states:ap-northeast-1:123456789012:stateMachine:sm" },
                { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bundles/sessions/*" },
            );
            assert.deepStrictEqual(verifyPolicyDocument(doc), []);
            assert.deepStrictEqual(verifyPolicyDocument(JSON.parse(doc)), []);
        });

        it("lists every problem: wildcard and NotAction grants, unknown actions, scopable actions on Resource *", () => {
            const doc = document(
                { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" },
                { Sid: "AllOfS3", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::bundles/*" },
                { Sid: "AllButIam", Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::bundles" },
                { Sid: "Typo", Effect: "Allow", Action: "s3:GetObjectz", Resource: "arn:aws:s3:::bundles/*" },
                { Sid: "Broad", Effect: "Allow", Action: ["s3:GetObject", "states:StartExecution", "ecr:GetAuthorizationToken"], Resource: "*" },
                { Sid: "Elsewhere", Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::secrets/*" },
            );
            assert.deepStrictEqual(verifyPolicyDocument(doc), [
                'statement "Everything" allows wildcard action "*"',
                'statement "AllOfS3" allows wildcard action "s3:*"',
                'statement "AllButIam" allows NotAction, which grants every action except those listed',
                'statement "Typo" names unknown action "s3:GetObjectz"',
                'statement "Everything" allows Resource "*" for actions that accept a narrower resource: *',
                'statement "Broad" allows Resource "*" for actions that accept a narrower resource: s3:GetObject, states:StartExecution',
                'statement "Elsewhere" allows NotResource, which grants every resource except those listed',
            ]);
        });

        it("does not judge the breadth of Deny statements (TLS-only policies deny s3:* to everyone)", () => {
            const doc = document({
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: "*",
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            });
            assert.deepStrictEqual(verifyPolicyDocument(doc), []);
        });

        it("treats ARNs made only of wildcards as Resource *", () => {
            const doc = document({ Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:aws:logs:*:*:*" });
            assert.deepStrictEqual(verifyPolicyDocument(doc), [
                'statement[0] allows Resource "*" for actions that accept a narrower resource: logs:PutLogEvents',
            ]);
        });

        it("reports a document it cannot read", () => {
            assert.deepStrictEqual(verifyPolicyDocument("{not json"), ["policy document is not a JSON object"]);
            assert.deepStrictEqual(verifyPolicyDocument(JSON.stringify({ Version: "2012-10-17" })), ["policy document has no Statement"]);
        });
    });
});
