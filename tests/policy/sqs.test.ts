import * as assert from "node:assert/strict";
import { checkQueueDeadLetter, checkQueueEncryption } from "../../policy-pack/policies/sqs";
import { compliantQueues, queueArn, stackResource, urnOf } from "./support/fixtures";

const QUEUE = "aws:sqs/queue:Queue";
const queueUrn = (name: string) => urnOf(QUEUE, name);

describe("SQS policies", () => {
    describe("sqs-queue-encryption", () => {
        const message = "queue must encrypt messages at rest (sqsManagedSseEnabled: true or kmsMasterKeyId)";
        it("passes SQS-managed SSE or a KMS key (even one not known until the key exists)", () => {
            assert.deepStrictEqual(checkQueueEncryption(QUEUE, { sqsManagedSseEnabled: true }), []);
            assert.deepStrictEqual(checkQueueEncryption(QUEUE, { kmsMasterKeyId: "alias/queues" }), []);
            assert.deepStrictEqual(checkQueueEncryption(QUEUE, { kmsMasterKeyId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }), []);
        });
        it("reports a queue without encryption", () => {
            assert.deepStrictEqual(checkQueueEncryption(QUEUE, { name: "q" }), [message]);
            assert.deepStrictEqual(checkQueueEncryption(QUEUE, { sqsManagedSseEnabled: false, kmsMasterKeyId: "" }), [message]);
        });
    });

    describe("sqs-queue-dead-letter", () => {
        it("passes a work queue redriving to a DLQ with a longer retention; the DLQ itself needs none", () => {
            assert.deepStrictEqual(checkQueueDeadLetter(compliantQueues("work")), []);
        });

        it("reports a queue without a dead-letter queue", () => {
            const lonely = stackResource(QUEUE, "lonely", { name: "lonely", sqsManagedSseEnabled: true });
            assert.deepStrictEqual(checkQueueDeadLetter([...compliantQueues("work"), lonely]), [
                { urn: queueUrn("lonely"), message: "queue has no dead-letter queue (redrivePolicy with deadLetterTargetArn)" },
            ]);
        });

        it("reports a DLQ that keeps messages no longer than its queue (unset retention is SQS's 4 days)", () => {
            const [dlq, queue] = compliantQueues("work");
            const shortDlq = { ...dlq, props: { ...dlq.props, messageRetentionSeconds: 345600 } };
            assert.deepStrictEqual(checkQueueDeadLetter([shortDlq, queue]), [
                { urn: queueUrn("work-queue"), message: 'dead-letter queue "work-dlq" keeps messages 345600 s, which must be longer than this queue\'s 345600 s' },
            ]);
            const defaultDlq = { ...dlq, props: { name: "work-dlq" } };
            const longQueue = { ...queue, props: { ...queue.props, messageRetentionSeconds: 604800 } };
            assert.deepStrictEqual(checkQueueDeadLetter([defaultDlq, longQueue]), [
                { urn: queueUrn("work-queue"), message: 'dead-letter queue "work-dlq" keeps messages 345600 s, which must be longer than this queue\'s 604800 s' },
            ]);
        });

        it("accepts a DLQ outside the stack (its retention cannot be compared)", () => {
            const queue = stackResource(QUEUE, "q", { name: "q", redrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("shared-dlq"), maxReceiveCount: 3 }) });
            assert.deepStrictEqual(checkQueueDeadLetter([queue]), []);
        });

        it("follows the engine's property dependencies when the redrive policy is not known yet", () => {
            const [dlq, queue] = compliantQueues("work");
            const pending = { ...queue, props: { ...queue.props, redrivePolicy: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, propertyDependencies: { redrivePolicy: [dlq.urn] } };
            assert.deepStrictEqual(checkQueueDeadLetter([dlq, pending]), []);
            const shortDlq = { ...dlq, props: { ...dlq.props, messageRetentionSeconds: 60 } };
            assert.deepStrictEqual(checkQueueDeadLetter([shortDlq, pending]), [
                { urn: queue.urn, message: 'dead-letter queue "work-dlq" keeps messages 60 s, which must be longer than this queue\'s 345600 s' },
            ]);
        });

        it("understands a separate RedrivePolicy resource addressed by queue URL", () => {
            const [dlq, queue] = compliantQueues("work");
            const bare = { ...queue, props: { name: "work-queue", sqsManagedSseEnabled: true } };
            const redrive = stackResource("aws:sqs/redrivePolicy:RedrivePolicy", "work-redrive", {
                queueUrl: "https://sqs.ap-northeast-1.amazonaws.com/123456789012/work-queue",
                redrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("work-dlq"), maxReceiveCount: 3 }),
            });
            assert.deepStrictEqual(checkQueueDeadLetter([dlq, bare, redrive]), []);
            assert.deepStrictEqual(checkQueueDeadLetter([dlq, bare]), [
                { urn: dlq.urn, message: "queue has no dead-letter queue (redrivePolicy with deadLetterTargetArn)" },
                { urn: queue.urn, message: "queue has no dead-letter queue (redrivePolicy with deadLetterTargetArn)" },
            ]);
        });
    });
});
