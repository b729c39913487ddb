/**
 * Class (e): physical names that two stacks of one account would share. IAM role names are unique
 * per account; queue, function, table, log group, state machine, cluster, repository, topic, alarm,
 * dashboard, trail, parameter and KMS alias names per account and region; bucket names globally.
 * A second stack of the same program (a personal stack beside develop) that derives the same name
 * fails with "already exists" (EntityAlreadyExists, ResourceConflictException,
 * BucketAlreadyExists, ...) or, for a task definition family, silently shares one.
 *
 * The program puts its stack's name scope in every such name (builders/names.ts): the stack name,
 * which for the committed stacks is their environment. So the rule is: every account-unique name
 * contains the stack name as a whole word (between `-`, `/`, `_`, `.` or the ends).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 *
 * The stack name comes from this policy's `stack` config: the offline evaluator sets it from its
 * `stack` option, and the CrossGuard adapter from the resources' URNs
 * (`urn:pulumi:<stack>::<project>::...`) unless a config file pins it. Without it the rule cannot
 * judge and reports nothing.
 */
import { StackResource, StackRule, StackViolation } from "../lib/types";
import { BOOTSTRAP_PROJECT } from "../lib/projects";
import { knownValue } from "../lib/values";

/** Type token -> the input holding a name that must be unique in the account (or globally). */
export const ACCOUNT_UNIQUE_NAME_KEYS: Readonly<Record<string, string>> = {
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:iam/instanceProfile:InstanceProfile": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:sqs/queue:Queue": "name",
    "aws:lambda/function:Function": "name",
    "aws:dynamodb/table:Table": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:cloudwatch/dashboard:Dashboard": "dashboardName",
    "aws:cloudwatch/eventRule:EventRule": "name",
    "aws:sfn/stateMachine:StateMachine": "name",
    "aws:ecs/cluster:Cluster": "name",
    "aws:ecs/taskDefinition:TaskDefinition": "family",
    "aws:ecr/repository:Repository": "name",
    "aws:sns/topic:Topic": "name",
    "aws:kms/alias:Alias": "name",
    "aws:ssm/parameter:Parameter": "name",
    "aws:secretsmanager/secret:Secret": "name",
    "aws:cloudtrail/trail:Trail": "name",
};

/**
 * Names AWS dictates from a unique id it generated, which no other stack can derive: AppSync writes
 * an API's logs to `/aws/appsync/apis/<apiId>` and nowhere else, so the program must create exactly
 * that group (https://docs.aws.amazon.com/appsync/latest/devguide/monitoring.html).
 *
 * Amplify Hosting writes an SSR app's runtime logs under `/aws/amplify/<app id>` (the prefix its
 * SSR logging role is granted, https://docs.aws.amazon.com/amplify/latest/userguide/cloudwatch-logs-role.html
 * lists the actions; the exact group name is the one the Amplify console links, stated by the Amplify
 * Hosting team in https://github.com/aws-amplify/amplify-hosting/issues/3171, not on AWS's pages).
 */
export const SERVICE_ID_NAMES: readonly RegExp[] = [/^\/aws\/appsync\/apis\/[a-z0-9]{26}$/, /^\/aws\/amplify\/d[a-z0-9]{13}$/];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whether `name` carries `scope` as a whole word. */
export function carriesScope(name: string, scope: string): boolean {
    return new RegExp(`(^|[-/_.])${escape(scope)}($|[-/_.])`).test(name);
}

export function checkStackScopedNames(resources: readonly StackResource[], context: { config: Record<string, unknown> }): StackViolation[] {
    const stack = context.config.stack;
    if (typeof stack !== "string" || stack === "") return [];
    // One bootstrap stack per account by design: its names (the CI roles) are the account's.
    if (context.config.project === BOOTSTRAP_PROJECT) return [];
    const violations: StackViolation[] = [];
    for (const resource of resources) {
        const key = ACCOUNT_UNIQUE_NAME_KEYS[resource.type];
        if (key === undefined) continue;
        // One name unknown during a preview must not stop the check of all the others; it is judged
        // on `pulumi up`. An auto-named resource (no name given) gets a unique suffix: nothing to share.
        const name = knownValue(resource.props, key);
        if (typeof name !== "string" || name === "") continue;
        if (!carriesScope(name, stack) && !SERVICE_ID_NAMES.some((pattern) => pattern.test(name))) {
            violations.push({
                urn: resource.urn,
                message: `${key} "${name}" does not carry the stack name "${stack}": another stack of this program in the same account would derive the same name and collide (build it with physicalName(role, nameScope))`,
            });
        }
    }
    return violations;
}

export const physicalNameRules: readonly StackRule[] = [
    {
        kind: "stack",
        name: "physical-names-per-stack",
        description: "Every account-unique physical name (roles, queues, functions, tables, log groups, buckets, ...) carries the stack's name, so two stacks of one account never share one.",
        enforcementLevel: "mandatory",
        check: checkStackScopedNames,
        configSchema: {
            properties: {
                stack: { type: "string", description: "The stack name the names must carry (default: read from the resources' URNs)." },
                project: { type: "string", description: `The Pulumi project; ${BOOTSTRAP_PROJECT} (one stack per account) is exempt (default: read from the resources' URNs).` },
            },
        },
    },
];
