/** iam-oidc-trust-pinned: an OIDC-trusted role pins aud and the exact sub (IAM accepts less). */
import * as assert from "node:assert/strict";
import { checkOidcTrustPinned } from "../../policy-pack/policies/oidcTrust";
import { githubTrustPolicy } from "../../bootstrap/policies";

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const HOST = "token.actions.githubusercontent.com";
const role = (condition: Record<string, Record<string, unknown>> | undefined, principal: unknown = { Federated: PROVIDER }) => ({
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "T", Effect: "Allow", Principal: principal, Action: "sts:AssumeRoleWithWebIdentity", ...(condition ? { Condition: condition } : {}) }] }),
});
const problem = (claim: string) => `assumeRolePolicy statement T: trust of ${HOST} must pin ${HOST}:${claim} with StringEquals to exact values (no wildcards)`;

describe("policy iam-oidc-trust-pinned", () => {
    it("accepts the bootstrap's trust (one exact subject, the STS audience)", () => {
        const trust = githubTrustPolicy(PROVIDER, "repo:example-org/stark-ballot-simulator:pull_request");
        assert.deepEqual(checkOidcTrustPinned("aws:iam/role:Role", { assumeRolePolicy: JSON.stringify(trust) }), []);
    });

    const cases: [string, Record<string, Record<string, unknown>> | undefined, string[]][] = [
        ["no condition at all", undefined, [problem("aud"), problem("sub")]],
        ["only the audience", { StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" } }, [problem("sub")]],
        ["a subject with StringLike", { StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${HOST}:sub`]: "repo:org/*" } }, [problem("sub")]],
        ["a wildcard inside StringEquals", { StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com", [`${HOST}:sub`]: ["repo:org/a:pull_request", "repo:org/*"] } }, [problem("sub")]],
    ];
    for (const [label, condition, expected] of cases) {
        it(`rejects ${label}`, () => assert.deepEqual(checkOidcTrustPinned("aws:iam/role:Role", role(condition)), expected));
    }

    it("ignores roles trusted by services or accounts", () => {
        assert.deepEqual(checkOidcTrustPinned("aws:iam/role:Role", role(undefined, { Service: "lambda.amazonaws.com" })), []);
        assert.deepEqual(checkOidcTrustPinned("aws:iam/role:Role", role(undefined, { AWS: "arn:aws:iam::123456789012:root" })), []);
    });
});
