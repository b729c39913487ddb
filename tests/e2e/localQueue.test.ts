/** The in-memory SQS emulation (local/queue.ts) behaves as the pipeline's redrive and batch settings assume. */
import * as assert from "node:assert/strict";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { LocalQueue, pollUntilEmpty } from "../../local/queue";

const AT = "us-east-1:123456789012";
const MAX_MESSAGE_BYTES = 2048;
const dlqWiring = { name: "dlq", url: `https://sqs.us-east-1.amazonaws.com/123456789012/dlq`, arn: `arn:aws:sqs:${AT}:dlq`, visibilityTimeoutSeconds: 30, maxMessageBytes: 262144 };
const workWiring = (maxReceiveCount: number) => ({
    name: "work",
    url: "https://sqs.us-east-1.amazonaws.com/123456789012/work",
    arn: `arn:aws:sqs:${AT}:work`,
    visibilityTimeoutSeconds: 30,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    redrive: { deadLetterTargetArn: dlqWiring.arn, maxReceiveCount },
});
const BATCH_ONE = { batchSize: 1, reportBatchItemFailures: true };

function queues(maxReceiveCount = 3) {
    const dlq = new LocalQueue(dlqWiring);
    return { dlq, work: new LocalQueue(workWiring(maxReceiveCount), dlq) };
}

describe("local SQS queue and event source mapping", () => {
    it("refuses a dead-letter queue other than the redrive target", () => {
        const other = new LocalQueue({ ...dlqWiring, arn: `arn:aws:sqs:${AT}:other` });
        assert.throws(() => new LocalQueue(workWiring(3), other), /redrive target arn:aws:sqs:us-east-1:123456789012:dlq is not the given dead-letter queue/);
    });

    it("moves a message to the DLQ on the receive after maxReceiveCount failed ones", async () => {
        const { work, dlq } = queues(2);
        const id = work.send("poison");
        const seen: string[] = [];
        const result = await pollUntilEmpty(work, BATCH_ONE, async (event) => {
            seen.push(event.Records[0].attributes.ApproximateReceiveCount);
            return { batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] };
        });
        assert.deepEqual(seen, ["1", "2"]);
        assert.deepEqual(result, { invocations: 2, deleted: [], redelivered: [id, id] });
        assert.deepEqual(dlq.messages().map((m) => m.body), ["poison"]);
    });

    it("a thrown error fails the whole batch; only reported items fail otherwise", async () => {
        const { work } = queues(5);
        const [a, b] = [work.send("a"), work.send("b")];
        let calls = 0;
        const result = await pollUntilEmpty(work, { batchSize: 2, reportBatchItemFailures: true }, async (event: SQSEvent) => {
            calls += 1;
            if (calls === 1) throw new Error("boom");
            return { batchItemFailures: calls === 2 ? [{ itemIdentifier: b }] : [] };
        });
        assert.deepEqual(result, { invocations: 3, deleted: [a, b], redelivered: [a, b, b] });
    });

    it("without ReportBatchItemFailures a returned response cannot fail items", async () => {
        const { work } = queues();
        const id = work.send("x");
        const result = await pollUntilEmpty(work, { batchSize: 1, reportBatchItemFailures: false }, async () => ({ batchItemFailures: [{ itemIdentifier: id }] }));
        assert.deepEqual(result, { invocations: 1, deleted: [id], redelivered: [] });
    });

    it("an unknown item identifier fails the whole batch, as AWS treats it", async () => {
        const { work } = queues(1);
        const id = work.send("x");
        const result = await pollUntilEmpty(work, BATCH_ONE, async () => ({ batchItemFailures: [{ itemIdentifier: "not-in-batch" }] }));
        assert.deepEqual(result, { invocations: 1, deleted: [], redelivered: [id] });
    });

    it("a duplicate delivery counts as processed when either copy succeeds", async () => {
        const { work } = queues();
        const id = work.send("x");
        let calls = 0;
        const result = await pollUntilEmpty(work, BATCH_ONE, async () => ({ batchItemFailures: ++calls === 1 ? [{ itemIdentifier: id }] : [] }), { copies: 2 });
        assert.deepEqual(result, { invocations: 2, deleted: [id], redelivered: [] });
    });

    it("a duplicate is a receive of its own: a new receipt handle, a higher receive count, and only the latest handle deletes", async () => {
        const { work } = queues();
        const id = work.send("x");
        const seen: [string, string][] = [];
        let calls = 0;
        // The first (stale) delivery succeeds, the latest fails: the message is not deleted and comes back.
        const result = await pollUntilEmpty(
            work,
            BATCH_ONE,
            async (event) => {
                const record = event.Records[0];
                seen.push([record.attributes.ApproximateReceiveCount, record.receiptHandle]);
                return { batchItemFailures: ++calls === 2 ? [{ itemIdentifier: id }] : [] };
            },
            { copies: 2 },
        );
        assert.deepEqual(seen.map(([count]) => count), ["1", "2", "3"]);
        assert.equal(new Set(seen.map(([, handle]) => handle)).size, 3);
        assert.deepEqual(result, { invocations: 3, deleted: [id], redelivered: [id] });
        assert.deepEqual(
            work.deleteRequests.map((d) => [d.receiptHandle, d.deleted]),
            [
                [seen[0][1], false],
                [seen[2][1], true],
            ],
        );
    });

    it("counts duplicates toward maxReceiveCount: a message received 3 times goes to the DLQ on the 4th", async () => {
        const { work, dlq } = queues(3);
        work.send("x");
        const result = await pollUntilEmpty(work, BATCH_ONE, async () => {
            throw new Error("boom");
        }, { copies: 2 });
        assert.deepEqual(result.invocations, 3);
        assert.deepEqual(dlq.messages().map((m) => m.body), ["x"]);
    });

    it("refuses characters outside SQS's set (InvalidMessageContents), before any size check", async () => {
        const { work } = queues();
        for (const body of ["a\uFFFE", "\uFFFF", "\u0000", "bell\u0007", "lone \uD800 surrogate", ""]) {
            assert.throws(() => work.send(body), { name: "InvalidMessageContents" }, JSON.stringify(body));
        }
        for (const body of ["tab\t newline\n cr\r", "\uD7FF\uE000\uFFFD", "\u{10000}\u{10FFFF}"]) {
            assert.equal(typeof work.send(body), "string");
        }
    });

    it("the producer client accepts only this queue's URL and SQS's size limit", async () => {
        const { work } = queues();
        const client = work.producerClient();
        const sent = await client.send(new SendMessageCommand({ QueueUrl: workWiring(3).url, MessageBody: "ok" }));
        assert.deepEqual(work.messages().map((m) => [m.messageId, m.body]), [[sent.MessageId, "ok"]]);
        await assert.rejects(() => client.send(new SendMessageCommand({ QueueUrl: dlqWiring.url, MessageBody: "x" })), { name: "QueueDoesNotExist" });
        await assert.rejects(() => client.send(new SendMessageCommand({ QueueUrl: workWiring(3).url, MessageBody: "x".repeat(MAX_MESSAGE_BYTES + 1) })), {
            name: "InvalidParameterValue",
            message: `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
        });
        // Bytes, not characters: 1024 two-byte characters are 2048 bytes and fit; one more does not.
        assert.equal(typeof work.send("é".repeat(MAX_MESSAGE_BYTES / 2)), "string");
        assert.throws(() => work.send("é".repeat(MAX_MESSAGE_BYTES / 2) + "x"), { name: "InvalidParameterValue" });
    });
});
