/**
 * A role trusted through an OIDC provider (GitHub Actions' token.actions.githubusercontent.com, or any
 * other) must pin both the audience and the exact subject with StringEquals. IAM accepts a trust
 * policy that checks only `aud` (or `sub` with StringLike `repo:org/*`), and then every workflow of
 * every repository that can get a token for that audience may assume the role: mocks accept it, the
 * account is open. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
 * https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
 */
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule } from "../lib/types";
import { parseJsonValue } from "../lib/values";

const ROLE_TYPE = "aws:iam/role:Role";

/** The provider host of a `Federated` principal `arn:...:oidc-provider/<host>`, if it is one. */
function oidcHosts(principal: unknown): string[] {
    const federated = (principal as { Federated?: unknown } | undefined)?.Federated;
    const values = Array.isArray(federated) ? federated : [federated];
    return values.flatMap((v) => (typeof v === "string" && v.includes(":oidc-provider/") ? [v.split(":oidc-provider/")[1]] : []));
}

export function checkOidcTrustPinned(_type: string, props: Props): string[] {
    const document = parseJsonValue(props.assumeRolePolicy) as { Statement?: unknown } | undefined;
    const statements = Array.isArray(document?.Statement) ? document.Statement : document?.Statement ? [document.Statement] : [];
    const problems: string[] = [];
    statements.forEach((raw, i) => {
        const statement = raw as { Sid?: string; Effect?: string; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> };
        if (statement.Effect !== "Allow") return;
        for (const host of oidcHosts(statement.Principal)) {
            const equals = statement.Condition?.StringEquals ?? {};
            const where = `assumeRolePolicy statement ${statement.Sid ?? i}`;
            for (const claim of ["aud", "sub"]) {
                const value = equals[`${host}:${claim}`];
                const values = Array.isArray(value) ? value : [value];
                if (value === undefined || values.some((v) => typeof v !== "string" || v === "" || /[*?]/.test(v))) {
                    problems.push(`${where}: trust of ${host} must pin ${host}:${claim} with StringEquals to exact values (no wildcards)`);
                }
            }
        }
    });
    return problems;
}

export const oidcTrustRules: readonly ResourceRule[] = [
    resourceRule(
        "iam-oidc-trust-pinned",
        "A role trusted through an OIDC provider pins the audience and the exact subject with StringEquals.",
        [ROLE_TYPE],
        checkOidcTrustPinned,
    ),
];
