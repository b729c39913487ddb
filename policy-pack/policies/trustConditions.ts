/**
 * Class (a) of "AWS would reject this": a role trust policy that conditions a service principal
 * on a key that service does not send when it assumes the role. The condition never matches, the
 * assume fails, and the resource that needs the role fails to create (CloudTrail answers
 * InvalidCloudWatchLogsRoleArnException). Mocks accept any condition; only AWS's documentation
 * says which keys a service sends, so the cases are listed here with the page that states them.
 */
import { parsePolicyDocument } from "../lib/iamDocument";
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule } from "../lib/types";
import { asArray, isRecord, knownValue } from "../lib/values";

export const ROLE_TYPE = "aws:iam/role:Role";

export interface UnsentTrustKeys {
    /** Service principal, e.g. `cloudtrail.amazonaws.com`. */
    service: string;
    /** Global condition keys (lower case: IAM compares key names case-insensitively). */
    keys: readonly string[];
    /** What AWS says, verbatim. */
    quote: string;
    source: string;
}

/**
 * Documented cases. CloudTrail assumes exactly one kind of role, the CloudWatch Logs delivery role,
 * so every trust statement for it is that role's. (Its bucket policy, a resource policy, does
 * support both keys and keeps them.)
 */
export const TRUST_KEYS_NOT_SENT: readonly UnsentTrustKeys[] = [
    {
        service: "cloudtrail.amazonaws.com",
        keys: ["aws:sourcearn", "aws:sourceaccount"],
        quote: "Confused deputy prevention is not applicable to the role policy for CloudWatch Logs monitoring. The role policy doesn't support the use of aws:SourceArn and aws:SourceAccount.",
        source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html",
    },
];

function servicesOf(principal: unknown): string[] {
    if (!isRecord(principal)) return [];
    return asArray(principal.Service as unknown).filter((s): s is string => typeof s === "string");
}

export function checkTrustConditionKeys(_type: string, props: Props): string[] {
    // Unknown during a preview (a trust built from ARNs not created yet): judged on `pulumi up`.
    const trust = knownValue(props, "assumeRolePolicy");
    if (trust === undefined) return [];
    const parsed = parsePolicyDocument(trust);
    if (!parsed.ok) return [];
    const problems: string[] = [];
    for (const statement of parsed.statements.filter((s) => s.effect === "Allow")) {
        const usedKeys = Object.values(statement.condition)
            .filter(isRecord)
            .flatMap((block) => Object.keys(block));
        for (const service of servicesOf(statement.principal)) {
            const rule = TRUST_KEYS_NOT_SENT.find((r) => r.service === service);
            if (!rule) continue;
            for (const key of usedKeys.filter((k) => rule.keys.includes(k.toLowerCase()))) {
                problems.push(
                    `assumeRolePolicy: ${statement.label} conditions ${service} on ${key}, which it does not send when it assumes this role, so the assume always fails (AWS: "${rule.quote}" ${rule.source})`,
                );
            }
        }
    }
    return problems;
}

export const trustConditionRules: readonly ResourceRule[] = [
    resourceRule(
        "iam-trust-condition-keys-sent",
        "A role trust policy conditions a service principal only on keys that service sends when it assumes the role (CloudTrail's CloudWatch Logs role supports neither aws:SourceArn nor aws:SourceAccount).",
        [ROLE_TYPE],
        checkTrustConditionKeys,
    ),
];
