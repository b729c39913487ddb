/**
 * The work queue and its dead-letter queue in memory, with the SQS behaviour the pipeline relies on:
 * a receive makes a message invisible and counts the receive; a message not deleted comes back (here
 * at once, as if its visibility timeout had passed); once a message has been received
 * `maxReceiveCount` times, the next receive moves it to the dead-letter queue instead of delivering
 * it. The event source mapping polls with the mapping's batch size and deletes what the function
 * did not report as failed (or nothing, if it threw).
 */
import { randomUUID } from "node:crypto";
import { SendMessageCommand, SQSClient, QueueDoesNotExist } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { sqsRecord } from "./events";
import type { QueueWiring } from "./stackWiring";

/** SQS's limit for one message body (256 KiB). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export interface QueuedMessage {
    messageId: string;
    body: string;
    receiveCount: number;
}

export class LocalQueue {
    private readonly visible: QueuedMessage[] = [];
    private readonly inFlight = new Map<string, QueuedMessage>();

    constructor(
        readonly wiring: QueueWiring,
        private readonly deadLetter?: LocalQueue,
        private readonly region = "us-east-1",
    ) {
        if (wiring.redrive && deadLetter?.wiring.arn !== wiring.redrive.deadLetterTargetArn) {
            throw new Error(`queue ${wiring.name}: its redrive target ${wiring.redrive.deadLetterTargetArn} is not the given dead-letter queue`);
        }
    }

    send(body: string): string {
        if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) {
            throw new Error(`message of ${Buffer.byteLength(body)} bytes exceeds SQS's ${MAX_MESSAGE_BYTES}`);
        }
        const messageId = randomUUID();
        this.visible.push({ messageId, body, receiveCount: 0 });
        return messageId;
    }

    /** Up to `max` visible messages, as an event source mapping receives them. */
    receive(max: number): QueuedMessage[] {
        const received: QueuedMessage[] = [];
        while (received.length < max && this.visible.length > 0) {
            const message = this.visible.shift()!;
            const limit = this.wiring.redrive?.maxReceiveCount;
            if (limit !== undefined && message.receiveCount >= limit) {
                this.deadLetter!.visible.push({ ...message, receiveCount: 0 });
                continue;
            }
            message.receiveCount += 1;
            this.inFlight.set(message.messageId, message);
            received.push(message);
        }
        return received;
    }

    delete(messageId: string): void {
        this.inFlight.delete(messageId);
    }

    /** The visibility timeout passed: the message may be received again. */
    release(messageId: string): void {
        const message = this.inFlight.get(messageId);
        if (message) {
            this.inFlight.delete(messageId);
            this.visible.push(message);
        }
    }

    /** Messages not yet deleted (visible or in flight), as `ApproximateNumberOfMessages` would count them. */
    messages(): QueuedMessage[] {
        return [...this.visible, ...this.inFlight.values()].map((m) => ({ ...m }));
    }

    asEvent(messages: readonly QueuedMessage[]): SQSEvent {
        return { Records: messages.map((m) => sqsRecord(m.messageId, m.body, m.receiveCount, this.wiring.arn, this.region)) };
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
 * delivers each batch that many times at once, as when a visibility timeout lapses while the first
 * delivery is still running (SQS is at-least-once).
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
        const batch = queue.receive(mapping.batchSize);
        if (batch.length === 0) return result;
        if (result.invocations >= maxInvocations) throw new Error(`queue ${queue.wiring.name} not empty after ${maxInvocations} invocations`);
        const event = queue.asEvent(batch);
        const outcomes = await Promise.all(
            Array.from({ length: options.copies ?? 1 }, () => handler(event).then((response) => failedIds(batch, mapping, response), () => batch.map((m) => m.messageId))),
        );
        result.invocations += outcomes.length;
        // A message counts as processed if any delivery processed it; otherwise it comes back.
        const failed = new Set(batch.map((m) => m.messageId).filter((id) => outcomes.every((ids) => ids.includes(id))));
        for (const message of batch) {
            if (failed.has(message.messageId)) {
                queue.release(message.messageId);
                result.redelivered.push(message.messageId);
            } else {
                queue.delete(message.messageId);
                result.deleted.push(message.messageId);
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
