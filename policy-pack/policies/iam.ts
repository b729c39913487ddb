/**
 * Least privilege in every IAM document of the stack: identity policies, trust policies and the
 * resource policies of buckets, queues, topics and repositories. Whether an action can be scoped
 * comes from the IAM catalogue (AWS's Service Authorization Reference).
 */
import {
    IAM_DOCUMENT_TYPES,
    NormalizedStatement,
    parsePolicyDocument,
    policyDocumentsOf,
    unknownActionProblems,
    unscopedResourceProblems,
    wildcardActionProblems,
} from "../lib/iamDocument";
import { resourceRule } from "../lib/rule";
import { Props, ResourceCheckContext, ResourceRule } from "../lib/types";

/**
 * Applies `judge` to every document of the resource, prefixing each problem with where the document
 * sits. Only the wildcard rule reports an unreadable document, so it is reported once.
 */
function documentProblems(
    type: string,
    props: Props,
    judge: (statements: NormalizedStatement[]) => string[],
    reportUnreadable: boolean,
): string[] {
    return policyDocumentsOf(type, props).flatMap(({ location, document }) => {
        const parsed = parsePolicyDocument(document);
        if (!parsed.ok) return reportUnreadable ? [`${location}: ${parsed.problem}`] : [];
        return judge(parsed.statements).map((problem) => `${location}: ${problem}`);
    });
}

export function checkIamWildcardActions(type: string, props: Props): string[] {
    return documentProblems(type, props, wildcardActionProblems, true);
}

export function checkIamResourceScoping(type: string, props: Props, context: ResourceCheckContext): string[] {
    return documentProblems(type, props, (statements) => unscopedResourceProblems(statements, context.iam), false);
}

export function checkIamKnownActions(type: string, props: Props, context: ResourceCheckContext): string[] {
    return documentProblems(type, props, (statements) => unknownActionProblems(statements, context.iam), false);
}

export const iamRules: readonly ResourceRule[] = [
    resourceRule(
        "iam-no-wildcard-actions",
        "No IAM statement allows every action (`*`), every action of a service (`s3:*`) or NotAction.",
        IAM_DOCUMENT_TYPES,
        checkIamWildcardActions,
    ),
    resourceRule(
        "iam-resource-wildcard-only-when-required",
        'IAM statements allow Resource "*" only for actions that accept no narrower resource.',
        IAM_DOCUMENT_TYPES,
        checkIamResourceScoping,
    ),
    resourceRule(
        "iam-known-actions",
        "Every action named in an IAM statement exists in the IAM catalogue (a typo grants nothing).",
        IAM_DOCUMENT_TYPES,
        checkIamKnownActions,
        // Advisory: AWS adds actions before the catalogue package publishes them.
        "advisory",
    ),
];
