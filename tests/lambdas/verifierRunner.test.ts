import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createVerifierFunction } from "../../lambdas/verifier-runner/index";
import { BUNDLE_EXTRACT_LIMITS, entryKind, safeExtract } from "../../lambdas/verifier-runner/safeExtract";
import { cleanEnvironment } from "../../lambdas/verifier-runner/runVerifier";
import { formatProverImageRecord, parseProverImageRecord } from "../../lambdas/shared/proverImageRecord";
import { createLogger } from "../../lambdas/shared/log";
import { FAKE_IMAGE_ID } from "../../local/fakeHost";
import { type FakeVerifierMode, writeFakeVerifier } from "../../local/fakeVerifier";
import { type LocalS3, startLocalS3 } from "../../local/servers";
import { localSsm } from "../../local/ssm";
import { rawZip, type RawEntry } from "./support/rawZip";

const BUCKET = "proofs-verifier-test";
const PREFIX = "sessions/";
const PARAMETER = "/stark-ballot-simulator/develop/prover-image";
const EXPECTED = FAKE_IMAGE_ID.slice(2);
const DIGEST = `sha256:${"cd".repeat(32)}`;
const RECORD = { repository: "stark-ballot-simulator-prover-develop", digest: DIGEST, imageUri: `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/stark-ballot-simulator-prover-develop@${DIGEST}` };

const receipt = (imageId: string, inner?: unknown) => JSON.stringify({ receipt: inner === undefined ? { fake: true } : { inner }, image_id: imageId });
const bundleOf = (receiptJson: string): RawEntry[] => [
    { name: "receipt.json", data: receiptJson },
    { name: "journal.json", data: "{}" },
    { name: "public-input.json", data: "{}" },
    { name: "election-manifest.json", data: "{}" },
    { name: "close-statement.json", data: "{}" },
];

describe("verifier-service-runner: safe extraction", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "extract-test-"));
        fs.mkdirSync(path.join(dir, "out"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const extract = (entries: RawEntry[], limits = BUNDLE_EXTRACT_LIMITS) => {
        fs.writeFileSync(path.join(dir, "b.zip"), rawZip(entries));
        return safeExtract(path.join(dir, "b.zip"), path.join(dir, "out"), limits);
    };

    it("extracts the published bundle's five files, byte for byte", async () => {
        const files = await extract(bundleOf(receipt(FAKE_IMAGE_ID)));
        assert.deepEqual(files, ["receipt.json", "journal.json", "public-input.json", "election-manifest.json", "close-statement.json"]);
        assert.equal(fs.readFileSync(path.join(dir, "out", "receipt.json"), "utf8"), receipt(FAKE_IMAGE_ID));
    });

    const refused: [string, RawEntry[], RegExp, Partial<typeof BUNDLE_EXTRACT_LIMITS>?][] = [
        ["a `..` path", [{ name: "../evil.txt", data: "x" }], /^bundle\.zip could not be extracted: invalid relative path: \.\.\/evil\.txt$/],
        ["an absolute path", [{ name: "/tmp/evil.txt", data: "x" }], /^bundle\.zip could not be extracted: absolute path: \/tmp\/evil\.txt$/],
        ["a backslash path", [{ name: "..\\evil.txt", data: "x" }], /^bundle\.zip could not be extracted: invalid characters in fileName: \.\.\\evil\.txt$/],
        ["a symlink", [{ name: "receipt.json", data: "/etc/passwd", unixMode: 0o120777 }], /^bundle\.zip entry "receipt\.json" is a symlink; only files and directories are allowed$/],
        ["a FIFO", [{ name: "pipe", unixMode: 0o010644 }], /^bundle\.zip entry "pipe" is a type 0o10000; only files and directories are allowed$/],
        ["a duplicate name", [{ name: "a.json", data: "1" }, { name: "./a.json", data: "2" }], /^bundle\.zip entry "\.\/a\.json" appears more than once$/],
        ["too many entries", [{ name: "a", data: "1" }, { name: "b", data: "2" }, { name: "c", data: "3" }], /^bundle\.zip has 3 entries; at most 2 are allowed$/, { maxEntries: 2 }],
        ["an entry over the per-entry limit", [{ name: "big", data: "x".repeat(11) }], /^bundle\.zip entry "big" inflates to 11 bytes; at most 10 are allowed$/, { maxEntryBytes: 10 }],
        ["entries over the total limit", [{ name: "a", data: "x".repeat(8) }, { name: "b", data: "x".repeat(8) }], /^bundle\.zip inflates to more than 12 bytes$/, { maxTotalBytes: 12 }],
        ["a size that lies (zip bomb)", [{ name: "a", data: "x".repeat(100), declaredSize: 5 }], /^bundle\.zip could not be extracted: compressed\/uncompressed size mismatch for stored file: 100 != 5$/],
    ];
    for (const [what, entries, message, limits] of refused) {
        it(`refuses ${what}, writing nothing outside the target`, async () => {
            await assert.rejects(extract(entries, { ...BUNDLE_EXTRACT_LIMITS, ...limits }), (error: Error) => {
                assert.equal(error.name, "UnsafeBundle");
                assert.match(error.message, message);
                return true;
            });
            assert.deepEqual(fs.readdirSync(dir).sort(), ["b.zip", "out"]);
            assert.equal(fs.existsSync(path.join(os.tmpdir(), "evil.txt")), false);
        });
    }

    it("refuses a file that is not a zip", async () => {
        fs.writeFileSync(path.join(dir, "b.zip"), "PK not really");
        await assert.rejects(safeExtract(path.join(dir, "b.zip"), path.join(dir, "out")), { name: "UnsafeBundle", message: "bundle.zip is not a readable zip archive: End of central directory record signature not found. Either not a zip file, or file is truncated." });
    });

    it("classifies entries by their Unix type bits", () => {
        assert.equal(entryKind({ fileName: "a", externalFileAttributes: 0 }), "file");
        assert.equal(entryKind({ fileName: "a", externalFileAttributes: 0o100644 << 16 }), "file");
        assert.equal(entryKind({ fileName: "d/", externalFileAttributes: 0o040755 << 16 }), "directory");
        assert.equal(entryKind({ fileName: "l", externalFileAttributes: (0o120777 << 16) >>> 0 }), "symlink");
    });
});

describe("verifier-service-runner: prover image record", () => {
    it("round-trips and rejects a record without a pinned digest or with a short image id", () => {
        const text = formatProverImageRecord({ ...RECORD, zkvmImageId: EXPECTED });
        assert.equal(text, `{"repository":"${RECORD.repository}","digest":"${DIGEST}","imageUri":"${RECORD.imageUri}","zkvmImageId":"${EXPECTED}"}`);
        assert.deepEqual(parseProverImageRecord(text), { ...RECORD, zkvmImageId: EXPECTED });
        assert.throws(() => parseProverImageRecord(JSON.stringify({ ...RECORD, imageUri: "x:latest", zkvmImageId: "ab" })), {
            message: "prover image record is invalid: imageUri must be pinned to the digest; zkvmImageId must be 64 lower-case hex or null",
        });
    });
});

describe("verifier-service-runner: handler against local S3", function () {
    this.timeout(20000);
    let s3: LocalS3;
    let work: string;
    const logs: string[] = [];
    const sessionId = "s-1";
    let n = 0;

    before(async () => {
        s3 = await startLocalS3([BUCKET]);
    });
    after(async () => s3.stop());
    beforeEach(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "verifier-test-"));
        logs.length = 0;
    });
    afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

    const run = async (options: { bundle?: Buffer; mode?: FakeVerifierMode; binary?: string; imageId?: string | null; timeoutMs?: number; event?: unknown }) => {
        const executionId = `e-${++n}`;
        if (options.bundle !== undefined) {
            await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${sessionId}/${executionId}/bundle.zip`, Body: options.bundle }));
        }
        const binary = options.binary ?? writeFakeVerifier(path.join(work, "layer"), options.mode ?? "honest");
        const ssm = localSsm({ [PARAMETER]: { type: "String", value: formatProverImageRecord({ ...RECORD, zkvmImageId: options.imageId === undefined ? EXPECTED : options.imageId }) } });
        const fn = createVerifierFunction(
            { S3_PROOF_BUCKET: BUCKET, S3_PROOF_PREFIX: PREFIX, PROVER_IMAGE_PARAMETER: PARAMETER },
            { s3: s3.client, ssm },
            createLogger((line) => logs.push(line)),
            { binary, verifierTimeoutMs: options.timeoutMs ?? 10000, tmpDir: work },
        );
        const result = fn(options.event ?? { sessionId, executionId });
        return { executionId, result };
    };
    const report = async (executionId: string) => {
        const object = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${sessionId}/${executionId}/verification.json` }));
        return { contentType: object.ContentType, body: JSON.parse(await object.Body!.transformToString()) };
    };
    const zip = (imageId: string, inner?: unknown) => rawZip(bundleOf(receipt(imageId, inner)));

    it("success: derives the keys, verifies against the recorded image id, writes verification.json beside the bundle", async () => {
        const { executionId, result } = await run({ bundle: zip(FAKE_IMAGE_ID) });
        assert.deepEqual(await result, {
            status: "success",
            bundleKey: `${PREFIX}${sessionId}/${executionId}/bundle.zip`,
            reportKey: `${PREFIX}${sessionId}/${executionId}/verification.json`,
            expectedImageId: EXPECTED,
        });
        assert.deepEqual(await report(executionId), { contentType: "application/json", body: { status: "success", imageId: EXPECTED, expectedImageId: EXPECTED, error: null } });
        // The working directory is gone: nothing of the bundle lingers in /tmp for the next invocation.
        assert.deepEqual(fs.readdirSync(work), ["layer"]);
    });

    it("failed: a receipt of another image id is a verdict, reported and returned (not an error)", async () => {
        const other = `0x${"11".repeat(32)}`;
        const { executionId, result } = await run({ bundle: zip(other) });
        assert.equal((await result).status, "failed");
        assert.deepEqual((await report(executionId)).body, { status: "failed", imageId: "11".repeat(32), expectedImageId: EXPECTED, error: "image id mismatch" });
    });

    it("dev_mode: a dev-mode receipt is reported as such", async () => {
        const { executionId, result } = await run({ bundle: zip(FAKE_IMAGE_ID, { Fake: { claim: {} } }) });
        assert.equal((await result).status, "dev_mode");
        assert.equal((await report(executionId)).body.status, "dev_mode");
    });

    const crashes: [string, FakeVerifierMode, number, string][] = [
        ["exits 1", "crash", 10000, "verifier exited 1: Error: verifier panicked: simulated crash"],
        ["hangs past its time limit", "hang", 300, "verifier ran longer than 300 ms and was killed"],
        ["writes a report that is not JSON", "garbage-report", 10000, "verifier report is not JSON"],
    ];
    for (const [what, mode, timeoutMs, message] of crashes) {
        it(`VerifierCrashed when the binary ${what}, and no report is written`, async () => {
            const { executionId, result } = await run({ bundle: zip(FAKE_IMAGE_ID), mode, timeoutMs });
            await assert.rejects(result, { name: "VerifierCrashed", message });
            await assert.rejects(report(executionId), { name: "NoSuchKey" });
        });
    }

    it("VerifierCrashed when the exit code disagrees with the report's verdict (0 with a failed report)", async () => {
        const binary = path.join(work, "exit-0-failed");
        fs.writeFileSync(binary, `#!${process.execPath}\nrequire("node:fs").writeFileSync(process.argv[8], JSON.stringify({ status: "failed" }));\n`, { mode: 0o755 });
        const { executionId, result } = await run({ bundle: zip(FAKE_IMAGE_ID), binary });
        await assert.rejects(result, { name: "VerifierCrashed", message: "verifier exited 0 but its report says failed (which exits 3)" });
        await assert.rejects(report(executionId), { name: "NoSuchKey" });
    });

    it("runs the binary with a clean environment: no AWS credentials or function settings reach it", async () => {
        const binary = path.join(work, "env-dump");
        fs.writeFileSync(binary, `#!${process.execPath}\nrequire("node:fs").writeFileSync(process.argv[8], JSON.stringify({ status: "success", env: process.env }));\n`, { mode: 0o755 });
        process.env.AWS_SECRET_ACCESS_KEY_TEST_CANARY = "leak";
        try {
            const { executionId, result } = await run({ bundle: zip(FAKE_IMAGE_ID), binary });
            assert.equal((await result).status, "success");
            const env = (await report(executionId)).body.env;
            const workDir = env.HOME;
            assert.match(workDir, /\/verify-[A-Za-z0-9]{6}$/);
            assert.deepEqual(env, cleanEnvironment(workDir));
        } finally {
            delete process.env.AWS_SECRET_ACCESS_KEY_TEST_CANARY;
        }
    });

    it("UnsafeBundle for a malicious zip; the binary never runs", async () => {
        const { executionId, result } = await run({ bundle: rawZip([{ name: "../../escape.json", data: "{}" }]), mode: "crash" });
        await assert.rejects(result, { name: "UnsafeBundle", message: "bundle.zip could not be extracted: invalid relative path: ../../escape.json" });
        await assert.rejects(report(executionId), { name: "NoSuchKey" });
    });

    it("BundleNotFound when the prover published nothing", async () => {
        const { executionId, result } = await run({});
        await assert.rejects(result, { name: "BundleNotFound", message: `no bundle at ${PREFIX}${sessionId}/${executionId}/bundle.zip: the prover did not publish one, or it expired` });
    });

    it("InvalidInput for an event carrying anything but the two ids (no key can be smuggled in)", async () => {
        const { result } = await run({ event: { sessionId: "../x", executionId: "e", bundleKey: "other/bundle.zip" } });
        await assert.rejects(result, { name: "InvalidInput", message: "invalid verify proof event: unexpected field bundleKey; sessionId must be 1-128 characters of A-Z a-z 0-9 - _" });
    });

    it("refuses to verify when the stack recorded no image id", async () => {
        const { result } = await run({ bundle: zip(FAKE_IMAGE_ID), imageId: null });
        await assert.rejects(result, { message: `${PARAMETER} records no zkVM image id: the stack's verifier config is missing` });
    });
});

describe("fake verifier (local/fakeVerifier.ts) follows the verifier-service command line", () => {
    const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-verifier-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const cases: [string, string[], number, string][] = [
        ["no subcommand", [], 1, "Error: usage: verifier-service verify --bundle <dir> --image-id <hex> --output <file>\n"],
        ["an unknown option", ["verify", "--bundle", "b", "--image-id", "x", "--output", "o", "--fast", "1"], 1, "Error: unknown option --fast\n"],
        ["a missing option", ["verify", "--bundle", "b", "--output", "o"], 1, "Error: missing option --image-id\n"],
        ["an image id that is not 64 hex", ["verify", "--bundle", "b", "--image-id", "0xab", "--output", "o"], 1, "Error: --image-id must be 64 hex digits\n"],
        ["a bundle without receipt.json", ["verify", "--bundle", "/nonexistent", "--image-id", EXPECTED, "--output", "o"], 1, "Error: cannot read receipt.json: ENOENT: no such file or directory, open '/nonexistent/receipt.json'\n"],
    ];
    // The verdicts: the real binary exits 0 / 2 / 3 after writing the report (verifier-service/src/main.rs).
    const verdicts: [string, string, unknown, number, string, string][] = [
        ["success", FAKE_IMAGE_ID, undefined, 0, "", "success"],
        ["dev_mode", FAKE_IMAGE_ID, { Fake: { claim: {} } }, 2, "verification completed in dev mode (receipt rejected)\n", "dev_mode"],
        ["failed", `0x${"11".repeat(32)}`, undefined, 3, "verification failed\n  - image id mismatch\n", "failed"],
    ];
    for (const [what, imageId, inner, code, stderr, status] of verdicts) {
        it(`exits ${code} after writing a ${what} report; the expected image id may carry 0x`, () => {
            const bundle = fs.mkdtempSync(path.join(dir, "bundle-"));
            for (const { name, data } of bundleOf(receipt(imageId, inner))) fs.writeFileSync(path.join(bundle, name), data ?? "");
            const output = path.join(bundle, "report.json");
            const result = spawnSync(writeFakeVerifier(dir), ["verify", "--bundle", bundle, "--image-id", `0x${EXPECTED}`, "--output", output], { encoding: "utf8", env: cleanEnvironment(dir) });
            assert.equal(result.status, code);
            assert.equal(result.stderr, stderr);
            assert.equal(JSON.parse(fs.readFileSync(output, "utf8")).status, status);
        });
    }
    for (const [what, args, code, stderr] of cases) {
        it(`exits ${code} on ${what}`, () => {
            const result = spawnSync(writeFakeVerifier(dir), args, { encoding: "utf8", env: cleanEnvironment(dir) });
            assert.equal(result.status, code);
            assert.equal(result.stderr, stderr);
        });
    }
});
