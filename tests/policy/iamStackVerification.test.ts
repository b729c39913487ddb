/**
 * Every IAM document of both committed stacks, as synthesized offline, checked against the IAM
 * catalogue: no wildcard grants, no unknown actions, `Resource: "*"` only where AWS accepts nothing
 * narrower. (Lambda permissions are resource-based grants to a service principal, not documents.)
 */
import * as assert from "node:assert/strict";
import { loadIamCatalogue, policyDocumentsOf, verifyPolicyDocument } from "../../scripts/lib/iamCatalogue";
import { SynthResult } from "../../scripts/lib/synthesize";
import { synth } from "../support/synth";

const documentsOf = (result: SynthResult) =>
    result.resources.flatMap((r) => policyDocumentsOf(r.type, r.inputs).map((d) => ({ resource: r, ...d })));

for (const stack of ["develop", "main"]) {
    describe(`IAM documents of the ${stack} stack`, () => {
        let result: SynthResult;
        before(async () => {
            await loadIamCatalogue();
            result = await synth(stack);
        });

        it("include every role's trust policy, the role policies and the bucket and queue policies", () => {
            const documents = documentsOf(result);
            const types = new Set(documents.map((d) => d.resource.type));
            for (const type of ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:s3/bucketPolicy:BucketPolicy", "aws:sqs/queuePolicy:QueuePolicy"]) {
                assert.ok(types.has(type), `no ${type} document in ${stack}`);
            }
            const roles = result.resources.filter((r) => r.type === "aws:iam/role:Role");
            const trusted = documents.filter((d) => d.location === "assumeRolePolicy").map((d) => d.resource.urn);
            assert.deepStrictEqual(trusted, roles.map((r) => r.urn));
        });

        it("pass verifyPolicyDocument without a single problem", () => {
            const problems = documentsOf(result).flatMap((d) => verifyPolicyDocument(d.document).map((p) => `${d.resource.urn} ${d.location}: ${p}`));
            assert.deepStrictEqual(problems, []);
        });
    });
}
