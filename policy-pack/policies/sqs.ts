/**
 * Queues encrypt messages at rest, and every work queue hands messages that keep failing to a
 * dead-letter queue that keeps them longer than the queue itself: for standard queues a moved
 * message keeps its original enqueue time, so a DLQ with the same or a shorter retention deletes
 * it early (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
 */
import { deadLetterTargetArn, linkedResources, refersToDeadLetterQueue, refersToQueue } from "../lib/links";
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule, StackResource, StackRule, StackViolation } from "../lib/types";
import { hasValue } from "../lib/values";

export const QUEUE_TYPE = "aws:sqs/queue:Queue";
const REDRIVE_POLICY_TYPE = "aws:sqs/redrivePolicy:RedrivePolicy";
/** What SQS keeps a message for when `messageRetentionSeconds` is not set (4 days). */
export const DEFAULT_RETENTION_SECONDS = 345600;

export function checkQueueEncryption(_type: string, props: Props): string[] {
    if (props.sqsManagedSseEnabled === true || hasValue(props, "kmsMasterKeyId")) return [];
    return ["queue must encrypt messages at rest (sqsManagedSseEnabled: true or kmsMasterKeyId)"];
}

interface Redrive {
    source: StackResource;
    /** The DLQs found in the stack (none when the DLQ lives elsewhere). */
    targets: StackResource[];
}

/** Redrives declared inline on a queue or by a separate RedrivePolicy resource. */
function redrives(resources: readonly StackResource[], queues: readonly StackResource[]): Redrive[] {
    const declared = (r: StackResource) =>
        (r.propertyDependencies?.redrivePolicy ?? []).length > 0 || deadLetterTargetArn(r.props.redrivePolicy) !== undefined;
    const found: Redrive[] = [];
    for (const queue of queues.filter(declared)) {
        found.push({ source: queue, targets: linkedResources(queue, "redrivePolicy", queues, refersToDeadLetterQueue) });
    }
    for (const policy of resources.filter((r) => r.type === REDRIVE_POLICY_TYPE && declared(r))) {
        const targets = linkedResources(policy, "redrivePolicy", queues, refersToDeadLetterQueue);
        for (const source of linkedResources(policy, "queueUrl", queues, refersToQueue)) found.push({ source, targets });
    }
    return found;
}

const retentionOf = (queue: StackResource): number =>
    typeof queue.props.messageRetentionSeconds === "number" ? queue.props.messageRetentionSeconds : DEFAULT_RETENTION_SECONDS;

export function checkQueueDeadLetter(resources: readonly StackResource[]): StackViolation[] {
    const queues = resources.filter((r) => r.type === QUEUE_TYPE);
    const all = redrives(resources, queues);
    const deadLetterQueues = new Set(all.flatMap((r) => r.targets.map((t) => t.urn)));
    const violations: StackViolation[] = [];
    for (const queue of queues.filter((q) => !deadLetterQueues.has(q.urn))) {
        const own = all.filter((r) => r.source.urn === queue.urn);
        if (own.length === 0) {
            violations.push({ urn: queue.urn, message: "queue has no dead-letter queue (redrivePolicy with deadLetterTargetArn)" });
            continue;
        }
        for (const target of own.flatMap((r) => r.targets)) {
            if (retentionOf(target) > retentionOf(queue)) continue;
            violations.push({
                urn: queue.urn,
                message: `dead-letter queue "${target.name}" keeps messages ${retentionOf(target)} s, which must be longer than this queue's ${retentionOf(queue)} s`,
            });
        }
    }
    return violations;
}

export const sqsRules: readonly (ResourceRule | StackRule)[] = [
    resourceRule("sqs-queue-encryption", "Every SQS queue encrypts messages at rest (SQS-managed SSE or a KMS key).", [QUEUE_TYPE], checkQueueEncryption),
    {
        kind: "stack",
        name: "sqs-queue-dead-letter",
        description: "Every SQS queue that is not itself a dead-letter queue redrives to one that retains messages longer.",
        enforcementLevel: "mandatory",
        check: checkQueueDeadLetter,
    },
];
