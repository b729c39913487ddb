/**
 * In `main`, resources that hold data nobody can recreate are `protect`ed (Pulumi refuses to delete
 * them, even when a refactor renames them) and use the service's own deletion guard where one
 * exists. `develop` is disposable by design (SPEC §3). See lib/environment.ts for how the
 * environment is told.
 */
import { resolveEnvironment } from "../lib/environment";
import { StackResource, StackRule, StackViolation } from "../lib/types";
import { LOG_GROUP_TYPE } from "./logs";
import { REPOSITORY_TYPE } from "./ecr";
import { TABLE_TYPE } from "./dynamodb";
import { TRAIL_TYPE } from "./cloudtrail";
import { QUEUE_TYPE } from "./sqs";
import { BUCKET_TYPES } from "./s3";

/**
 * Types the program must protect in `main`: proof bundles and the CloudTrail archive (buckets),
 * sessions (tables), signed prover images (repository), queued and dead-lettered work (queues),
 * logs kept for their retention period (log groups, including CloudTrail's), and the trail itself.
 */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [
    ...BUCKET_TYPES,
    TABLE_TYPE,
    REPOSITORY_TYPE,
    QUEUE_TYPE,
    LOG_GROUP_TYPE,
    TRAIL_TYPE,
];

/** Service-level deletion guards, per type: the message when the guard is off. */
const SERVICE_GUARDS: ReadonlyArray<{ types: readonly string[]; isOff: (r: StackResource) => boolean; message: string }> = [
    {
        types: [TABLE_TYPE],
        isOff: (r) => r.props.deletionProtectionEnabled !== true,
        message: "table must enable deletion protection in main (deletionProtectionEnabled: true)",
    },
    {
        types: BUCKET_TYPES,
        isOff: (r) => r.props.forceDestroy === true,
        message: "bucket must not set forceDestroy in main (a delete would empty it first)",
    },
    {
        types: [REPOSITORY_TYPE],
        isOff: (r) => r.props.forceDelete === true,
        message: "repository must not set forceDelete in main (a delete would discard its images)",
    },
];

export const UNKNOWN_ENVIRONMENT_MESSAGE =
    'cannot tell the stack\'s environment: set the Environment tag in aws:defaultTags (develop or main) or this policy\'s "environment" config';

export function checkStatefulProtection(resources: readonly StackResource[], context: { config: Record<string, unknown> }): StackViolation[] {
    const environment = resolveEnvironment(context.config, resources);
    if (environment === undefined) return [{ message: UNKNOWN_ENVIRONMENT_MESSAGE }];
    if (environment !== "main") return [];
    const violations: StackViolation[] = [];
    for (const resource of resources.filter((r) => STATEFUL_RESOURCE_TYPES.includes(r.type))) {
        if (!resource.protect) violations.push({ urn: resource.urn, message: "stateful resource must be protected in main (protect: true)" });
        for (const guard of SERVICE_GUARDS.filter((g) => g.types.includes(resource.type) && g.isOff(resource))) {
            violations.push({ urn: resource.urn, message: guard.message });
        }
    }
    return violations;
}

export const protectionRules: readonly StackRule[] = [
    {
        kind: "stack",
        name: "stateful-resources-protected",
        description: "In the main environment, stateful resources are protected and keep their service deletion guards.",
        enforcementLevel: "mandatory",
        check: checkStatefulProtection,
        configSchema: {
            properties: {
                environment: {
                    type: "string",
                    enum: ["develop", "main"],
                    description: "Pins the environment instead of reading the Environment default tag of the AWS provider.",
                },
            },
        },
    },
];
