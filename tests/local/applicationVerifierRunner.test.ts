/**
 * The stand-in for the application's verifier-service-runner (local/applicationVerifierRunner.ts)
 * answers as the application's handler does (amplify/functions/verifier-service-runner/handler.ts):
 * its schema's refusals, its error answers, its success shape and its S3 uploads.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { FAKE_IMAGE_ID } from "../../local/fakeHost";
import { writeFakeVerifier } from "../../local/fakeVerifier";
import { createApplicationVerifierRunner, parseRunnerEvent } from "../../local/applicationVerifierRunner";
import { type LocalS3, startLocalS3 } from "../../local/servers";
import { rawZip } from "../lambdas/support/rawZip";

const BUCKET = "app-verifier-test-bucket";
const SESSION = "0b9d6a1e-3c1f-4a59-9d7e-2f8c5b7a1e44";
const EXPECTED = FAKE_IMAGE_ID.slice(2);
const SIX = ["close-statement.json", "election-manifest.json", "journal.json", "metadata.json", "public-input.json", "receipt.json"];
const bundle = (names = SIX) => rawZip(names.map((name) => ({ name, data: name === "receipt.json" ? JSON.stringify({ receipt: { fake: true }, image_id: FAKE_IMAGE_ID }) : "{}" })));

describe("application verifier runner stand-in: event schema (handler.ts s3BundleSchema, strict)", () => {
    const valid = { mode: "s3_bundle", sessionId: SESSION, executionId: "e-1", bundleKey: "sessions/x/e-1/bundle.zip", expectedImageId: EXPECTED };
    const table: [string, unknown, string[] | string][] = [
        ["the state machine's event; the image id normalized to 0x + lower case", valid, `0x${EXPECTED}`],
        ["an upper-case 0X image id", { ...valid, expectedImageId: `0X${EXPECTED.toUpperCase()}` }, `0x${EXPECTED}`],
        ["the reference event (two ids only)", { sessionId: SESSION, executionId: "e-1" }, [
            'mode: Invalid literal value, expected "s3_bundle"',
            "bundleKey: String must contain at least 1 character(s)",
            "expectedImageId: expectedImageId is required",
        ]],
        ["a session id that is not a uuid", { ...valid, sessionId: "session-1" }, ["sessionId: Invalid uuid"]],
        ["an empty execution id and bundle key", { ...valid, executionId: "", bundleKey: "" }, ["executionId: String must contain at least 1 character(s)", "bundleKey: String must contain at least 1 character(s)"]],
        ["a short image id", { ...valid, expectedImageId: "0xab" }, ["expectedImageId: expectedImageId must be a 64-character hex string"]],
        ["an unknown key", { ...valid, reportKey: "x" }, ["Unrecognized key(s) in object: 'reportKey'"]],
        ["an unknown option", { ...valid, options: { uploadToS3: "yes", fast: true } }, ["options: Unrecognized key(s) in object: 'fast'", "options.uploadToS3: Expected boolean"]],
        ["not an object", "s3_bundle", ["Expected object"]],
    ];
    for (const [what, event, expected] of table) {
        it(what, () => {
            const parsed = parseRunnerEvent(event);
            if (typeof expected === "string") assert.equal("event" in parsed && parsed.event.expectedImageId, expected);
            else assert.deepEqual(parsed, { problems: expected });
        });
    }
});

describe("application verifier runner stand-in: answers", function () {
    this.timeout(30000);
    let s3: LocalS3;
    let work: string;
    let n = 0;
    before(async () => (s3 = await startLocalS3([BUCKET])));
    after(async () => s3.stop());
    beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "app-verifier-"))));
    afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

    const run = async (options: { zip?: Buffer; env?: Record<string, string>; event?: Record<string, unknown>; mode?: "honest" | "crash" } = {}) => {
        const executionId = `e-${++n}`;
        const bundleKey = `sessions/${SESSION}/${executionId}/bundle.zip`;
        if (options.zip !== undefined) await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: bundleKey, Body: options.zip }));
        const binary = writeFakeVerifier(path.join(work, "layer"), options.mode ?? "honest");
        const env = { S3_PROOF_BUCKET: BUCKET, S3_PROOF_PREFIX: "sessions/", USE_S3: "true", VERIFIER_SERVICE_BIN: binary, ...options.env };
        const runner = createApplicationVerifierRunner(env, { s3: s3.client, workDir: path.join(work, "verifier-work") });
        const answer = await runner({ mode: "s3_bundle", sessionId: SESSION, executionId, bundleKey, expectedImageId: EXPECTED, ...options.event });
        return { executionId, answer: answer as Record<string, any> };
    };
    const object = async (key: string) => (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();

    it("success: status success, the verdict in verifierStatus, the report and bundle published; the work directory is gone", async () => {
        const { executionId, answer } = await run({ zip: bundle() });
        const reportKey = `sessions/${SESSION}/${executionId}/verification.json`;
        assert.deepEqual(Object.keys(answer), ["status", "sessionId", "executionId", "verifierStatus", "verificationReport", "s3"]);
        assert.deepEqual([answer.status, answer.sessionId, answer.executionId, answer.verifierStatus], ["success", SESSION, executionId, "success"]);
        assert.deepEqual(answer.verificationReport, { status: "success", imageId: EXPECTED, expectedImageId: EXPECTED, error: null });
        assert.equal(answer.s3.bundleKey, `sessions/${SESSION}/${executionId}/bundle.zip`);
        assert.equal(answer.s3.reportKey, reportKey);
        assert.deepEqual(JSON.parse(await object(reportKey)), answer.verificationReport);
        assert.equal(fs.existsSync(path.join(work, "verifier-work")), false);
    });

    it("a failed verdict (exit 3) is still status success, the verdict failed, the report published", async () => {
        const { answer } = await run({ zip: bundle(), event: { expectedImageId: "11".repeat(32) } });
        assert.deepEqual([answer.status, answer.verifierStatus, typeof answer.s3.reportKey], ["success", "failed", "string"]);
    });

    it("a bundle without metadata.json: the verdict, but nothing published (s3 is {})", async () => {
        const { answer } = await run({ zip: bundle(SIX.filter((f) => f !== "metadata.json")) });
        assert.deepEqual([answer.status, answer.verifierStatus, answer.s3], ["success", "success", {}]);
    });

    it("USE_S3 other than true: s3 is {}; options.uploadToS3 false: no s3 at all", async () => {
        assert.deepEqual((await run({ zip: bundle(), env: { USE_S3: "false" } })).answer.s3, {});
        assert.equal("s3" in (await run({ zip: bundle(), event: { options: { uploadToS3: false } } })).answer, false);
    });

    const errors: [string, Parameters<typeof run>[0], unknown][] = [
        ["an invalid event", { event: { sessionId: "s-1" } }, { status: "error", message: "Invalid verifier invocation payload", details: "sessionId: Invalid uuid" }],
        ["a crashing binary (exit 1)", { zip: bundle(), mode: "crash" }, { status: "error", message: "verifier-service execution failed", details: "Error: verifier panicked: simulated crash" }],
        ["no binary", { zip: bundle(), env: { VERIFIER_SERVICE_BIN: "/nonexistent/verifier-service" } }, { status: "error", message: "verifier-service execution failed", details: "verifier-service binary not found. Set VERIFIER_SERVICE_BIN or build the project." }],
        ["no bundle", {}, { status: "error", message: "verifier-service execution failed", details: "The specified key does not exist." }],
    ];
    for (const [what, options, expected] of errors) {
        it(`${what}: the error answer, not a throw`, async () => {
            assert.deepEqual((await run(options)).answer, expected);
        });
    }
});
