/** Images are scanned when pushed, and old images expire instead of accumulating. */
import { linkedResources, refersToRepository } from "../lib/links";
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule, StackResource, StackRule, StackViolation } from "../lib/types";
import { parseJsonValue } from "../lib/values";

export const REPOSITORY_TYPE = "aws:ecr/repository:Repository";
const LIFECYCLE_POLICY_TYPE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";

export function checkScanOnPush(_type: string, props: Props): string[] {
    return props.imageScanningConfiguration?.scanOnPush === true
        ? []
        : ["repository must scan images on push (imageScanningConfiguration.scanOnPush: true)"];
}

const hasRules = (policy: StackResource) => {
    const document = parseJsonValue(policy.props.policy) as { rules?: unknown } | undefined;
    return Array.isArray(document?.rules) && document.rules.length > 0;
};

export function checkRepositoryLifecycle(resources: readonly StackResource[]): StackViolation[] {
    const policies = resources.filter((r) => r.type === LIFECYCLE_POLICY_TYPE);
    return resources
        .filter((r) => r.type === REPOSITORY_TYPE)
        .filter((repository) => !policies.some((p) => hasRules(p) && linkedResources(p, "repository", [repository], refersToRepository).length > 0))
        .map((repository) => ({ urn: repository.urn, message: "repository has no lifecycle policy with rules" }));
}

export const ecrRules: readonly (ResourceRule | StackRule)[] = [
    resourceRule("ecr-scan-on-push", "Every ECR repository scans images for vulnerabilities on push.", [REPOSITORY_TYPE], checkScanOnPush),
    {
        kind: "stack",
        name: "ecr-lifecycle-policy",
        description: "Every ECR repository has a lifecycle policy that bounds the images it keeps.",
        enforcementLevel: "mandatory",
        check: checkRepositoryLifecycle,
    },
];
