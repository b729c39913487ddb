/**
 * The work queue and its dead-letter queue in memory, with the SQS behaviour the pipeline relies on:
 * - SendMessage refuses a body with characters outside SQS's set (`InvalidMessageContents`) or over
 *   the queue's MaximumMessageSize, read from the synthesized queue
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html);
 * - a receive makes a message invisible, counts the receive and hands out a new receipt handle; a
 *   message not deleted comes back (here at once, as if its visibility timeout had passed); once a
 *   message has been received `maxReceiveCount` times, the next receive moves it to the dead-letter
 *   queue instead of delivering it
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html);
 * - every receive counts, duplicates included, and only the most recent receipt handle deletes: a
 *   delete with an older one succeeds but leaves the message
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html).
 * The event source mapping polls with the mapping's batch size and deletes what the function did
 * not report as failed (or nothing, if it threw), each delivery with its own receipt handle.
 */
import { randomUUID } from "node:crypto";
import { InvalidMessageContents, QueueDoesNotExist, SendMessageCommand, SQSClient, SQSServiceException } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { sqsRecord } from "./events";
import type { QueueWiring } from "./stackWiring";

/** A character SQS does not accept in a message body (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF). */
const NOT_ALLOWED = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export interface QueuedMessage {
    messageId: string;
    body: string;
    receiveCount: number;
    /** The handle of the most recent receive; undefined before the first. */
    receiptHandle?: string;
}

export class LocalQueue {
    private readonly visible: QueuedMessage[] = [];
    private readonly inFlight = new Map<string, QueuedMessage>();
    /** Every DeleteMessage, with whether it removed the message (only the latest handle does). */
    readonly deleteRequests: { messageId: string; receiptHandle: string; deleted: boolean }[] = [];

    constructor(
        readonly wiring: QueueWiring,
        private readonly deadLetter?: LocalQueue,
        private readonly region = "us-east-1",
    ) {
        if (wiring.redrive && deadLetter?.wiring.arn !== wiring.redrive.deadLetterTargetArn) {
            throw new Error(`queue ${wiring.name}: its redrive target ${wiring.redrive.deadLetterTargetArn} is not the given dead-letter queue`);
        }
    }

    /** SendMessage: the message id, or SQS's error for a body it refuses. */
    send(body: string): string {
        const $metadata = { httpStatusCode: 400 };
        if (body.length === 0 || NOT_ALLOWED.test(body)) {
            throw new InvalidMessageContents({ message: "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", $metadata });
        }
        const bytes = Buffer.byteLength(body, "utf8");
        if (bytes > this.wiring.maxMessageBytes) {
            throw new SQSServiceException({
                name: "InvalidParameterValue",
                $fault: "client",
                message: `One or more parameters are invalid. Reason: Message must be shorter than ${this.wiring.maxMessageBytes} bytes.`,
                $metadata,
            });
        }
        const messageId = randomUUID();
        this.visible.push({ messageId, body, receiveCount: 0 });
        return messageId;
    }

    /** Up to `max` visible messages, as an event source mapping receives them, each with a new receipt handle. */
    receive(max: number): QueuedMessage[] {
        const received: QueuedMessage[] = [];
        while (received.length < max && this.visible.length > 0) {
            const message = this.visible.shift()!;
            const limit = this.wiring.redrive?.maxReceiveCount;
            if (limit !== undefined && message.receiveCount >= limit) {
                this.deadLetter!.visible.push({ messageId: message.messageId, body: message.body, receiveCount: 0 });
                continue;
            }
            message.receiveCount += 1;
            message.receiptHandle = `${message.messageId}#${message.receiveCount}#${randomUUID()}`;
            this.inFlight.set(message.messageId, message);
            received.push({ ...message });
        }
        return received;
    }

    /** DeleteMessage: removes the message only if `receiptHandle` is its most recent one. */
    delete(receiptHandle: string): boolean {
        const message = [...this.inFlight.values(), ...this.visible].find((m) => m.receiptHandle === receiptHandle);
        const messageId = receiptHandle.split("#")[0];
        this.deleteRequests.push({ messageId, receiptHandle, deleted: message !== undefined });
        if (message === undefined) return false;
        this.inFlight.delete(message.messageId);
        const index = this.visible.indexOf(message);
        if (index >= 0) this.visible.splice(index, 1);
        return true;
    }

    /** The visibility timeout of this receive passed: the message may be received again. */
    release(receiptHandle: string): boolean {
        const message = [...this.inFlight.values()].find((m) => m.receiptHandle === receiptHandle);
        if (message === undefined) return false;
        this.inFlight.delete(message.messageId);
        this.visible.push(message);
        return true;
    }

    /** Messages not yet deleted (visible or in flight), as `ApproximateNumberOfMessages` would count them. */
    messages(): QueuedMessage[] {
        return [...this.visible, ...this.inFlight.values()].map((m) => ({ ...m }));
    }

    asEvent(messages: readonly QueuedMessage[]): SQSEvent {
        return {
            Records: messages.map((m) => ({
                ...sqsRecord(m.messageId, m.body, m.receiveCount, this.wiring.arn, this.region),
                receiptHandle: m.receiptHandle ?? "",
            })),
        };
    }

    /**
     * An SQS client for the producer (the api) whose `SendMessage` lands here; any other queue URL
     * fails as SQS would. While `unavailable()` is true, sends fail with a 503.
     */
    producerClient(options: { unavailable?: () => boolean } = {}): SQSClient {
        const client = new SQSClient({ region: this.region });
        mockClient(client)
            .on(SendMessageCommand)
            .callsFake(async (input: { QueueUrl?: string; MessageBody?: string }) => {
                if (input.QueueUrl !== this.wiring.url) {
                    throw new QueueDoesNotExist({ message: `The specified queue ${input.QueueUrl} does not exist.`, $metadata: {} });
                }
                if (options.unavailable?.()) {
                    throw Object.assign(new Error("Service unavailable"), { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } });
                }
                return { MessageId: this.send(input.MessageBody ?? "") };
            });
        return client;
    }
}

export interface PollResult {
    /** Number of invocations of the function. */
    invocations: number;
    deleted: string[];
    /** Message ids returned to the queue, once per failed delivery. */
    redelivered: string[];
}

/**
 * Polls `queue` until it is empty, invoking `handler` like the SQS event source mapping. `copies`
 * delivers each new batch (messages received for the first time) that many times at once, as when a
 * visibility timeout lapses while the first delivery is still running (SQS is at-least-once): each
 * copy is a receive of its own, with its own receipt handle and receive count, so the deletes of all
 * but the last copy leave the message.
 */
export async function pollUntilEmpty(
    queue: LocalQueue,
    mapping: { batchSize: number; reportBatchItemFailures: boolean },
    handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>,
    options: { copies?: number; maxInvocations?: number } = {},
): Promise<PollResult> {
    const result: PollResult = { invocations: 0, deleted: [], redelivered: [] };
    const maxInvocations = options.maxInvocations ?? 100;
    for (;;) {
        const first = queue.receive(mapping.batchSize);
        if (first.length === 0) return result;
        if (result.invocations >= maxInvocations) throw new Error(`queue ${queue.wiring.name} not empty after ${maxInvocations} invocations`);
        const batches = [first];
        const fresh = first.every((m) => m.receiveCount === 1);
        for (let copy = 1; fresh && copy < (options.copies ?? 1); copy++) {
            // The visibility timeout of the previous receive lapses while its delivery still runs.
            for (const message of batches[batches.length - 1]) queue.release(message.receiptHandle!);
            const again = queue.receive(mapping.batchSize);
            if (again.length === 0) break;
            batches.push(again);
        }
        const outcomes = await Promise.all(
            batches.map((batch) =>
                handler(queue.asEvent(batch)).then(
                    (response) => failedIds(batch, mapping, response),
                    () => batch.map((m) => m.messageId),
                ),
            ),
        );
        result.invocations += outcomes.length;
        // Each delivery deletes what it processed, with its own receipt handle; a failed item is left
        // for its visibility timeout, after which it can be received again.
        for (const [index, batch] of batches.entries()) {
            for (const message of batch) {
                if (outcomes[index].includes(message.messageId)) {
                    if (queue.release(message.receiptHandle!)) result.redelivered.push(message.messageId);
                } else if (queue.delete(message.receiptHandle!)) {
                    result.deleted.push(message.messageId);
                }
            }
        }
    }
}

function failedIds(batch: readonly { messageId: string }[], mapping: { reportBatchItemFailures: boolean }, response: SQSBatchResponse | void): string[] {
    const reported = response?.batchItemFailures?.map((f) => f.itemIdentifier) ?? [];
    if (!mapping.reportBatchItemFailures) {
        // Without ReportBatchItemFailures the response is ignored: the batch succeeded.
        return [];
    }
    const known = new Set(batch.map((m) => m.messageId));
    // AWS treats an unknown or empty identifier as a failure of the whole batch.
    if (reported.some((id) => !known.has(id))) return [...known];
    return reported;
}
