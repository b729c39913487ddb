/** Shared plumbing of the prover runner tests: temp dirs, captured logs, S3 reads, zip reads. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import * as yauzl from "yauzl";
import { PROVER_PUBLISHED_OBJECTS } from "../../../builders/policies/proverPipeline";
import { executionPrefix, inputObjectKey } from "../../../lambdas/shared/contracts";
import { EXIT_CODES, FailureName } from "../../../prover/runner/exitCodes";
import { writeFakeHost } from "../../../local/fakeHost";
import { type LocalS3, startLocalS3 } from "../../../local/servers";

export const BUCKET = "proof-bundles";
export const PROOF_PREFIX = "sessions/";
export const SESSION_ID = "session-1";
export const EXECUTION_ID = "execution-1";
export const OUTPUT_PREFIX = executionPrefix(PROOF_PREFIX, SESSION_ID, EXECUTION_ID);
export const INPUT_KEY = inputObjectKey(PROOF_PREFIX, SESSION_ID, EXECUTION_ID);

/**
 * The order the runner uploads a successful run's objects in: the receipt first, bundle.zip last. It is the
 * order of the objects the task role may put (the policy's list), so the runner publishes exactly those.
 */
export const UPLOAD_ORDER = PROVER_PUBLISHED_OBJECTS;

export interface LogLine {
    level: string;
    msg: string;
    time: string;
    [field: string]: unknown;
}

/** Collects what the runner logs; `onLine` lets a test react to a line (for example abort on one). */
export function captureLog(onLine?: (line: LogLine) => void): { write: (text: string) => void; lines: LogLine[] } {
    const lines: LogLine[] = [];
    return {
        lines,
        write: (text) => {
            for (const raw of text.split("\n").filter((part) => part !== "")) {
                const line = JSON.parse(raw) as LogLine;
                lines.push(line);
                onLine?.(line);
            }
        },
    };
}

export function parseLogLines(stdout: string): LogLine[] {
    return stdout
        .split("\n")
        .filter((raw) => raw !== "")
        .map((raw) => JSON.parse(raw) as LogLine);
}

export function errorLines(lines: readonly LogLine[]): LogLine[] {
    return lines.filter((line) => line.level === "ERROR");
}

export interface Workspace {
    root: string;
    scratchDir: string;
    hostBin: string;
    cleanup(): void;
}

/** A temp dir with the fake host and an empty scratch dir. */
export function createWorkspace(): Workspace {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "prover-test-"));
    const scratchDir = path.join(root, "scratch");
    fs.mkdirSync(scratchDir);
    return {
        root,
        scratchDir,
        hostBin: writeFakeHost(root),
        cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
    };
}

export interface ProverFixture {
    s3: LocalS3;
    workspace: Workspace;
}

/** For each test of the calling suite: s3rver with the proof bucket and `inputText` at INPUT_KEY, and a fresh workspace. */
export function useProverFixture(inputText: string): ProverFixture {
    const fixture = {} as ProverFixture;
    beforeEach(async () => {
        fixture.s3 = await startLocalS3([BUCKET]);
        fixture.workspace = createWorkspace();
        await putText(fixture.s3.client, INPUT_KEY, inputText);
    });
    afterEach(async () => {
        fixture.workspace.cleanup();
        await fixture.s3.stop();
    });
    return fixture;
}

/** The environment RunProver gives the container, pointed at the workspace. */
export function runnerEnv(workspace: Workspace, extra: Record<string, string> = {}): Record<string, string> {
    return {
        ENV_NAME: "develop",
        S3_PROOF_BUCKET: BUCKET,
        S3_PROOF_PREFIX: PROOF_PREFIX,
        INPUT_S3_BUCKET: BUCKET,
        INPUT_S3_KEY: INPUT_KEY,
        OUTPUT_S3_BUCKET: BUCKET,
        OUTPUT_S3_PREFIX: OUTPUT_PREFIX,
        SCRATCH_DIR: workspace.scratchDir,
        HOST_BIN: workspace.hostBin,
        ...extra,
    };
}

export async function putText(client: S3Client, key: string, body: string): Promise<void> {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

export async function getBuffer(client: S3Client, key: string): Promise<Buffer> {
    const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await response.Body!.transformToByteArray());
}

export async function getObject(client: S3Client, key: string): Promise<{ body: string; contentType?: string }> {
    const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { body: await response.Body!.transformToString(), contentType: response.ContentType };
}

export async function listKeys(client: S3Client, prefix = ""): Promise<string[]> {
    const response = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (response.Contents ?? []).map((object) => object.Key!).sort();
}

/** Entry name → text of every entry of a zip, read with yauzl (an independent implementation). */
export function readZip(buffer: Buffer): Promise<Map<string, string>> {
    return new Promise((resolve, reject) => {
        yauzl.fromBuffer(buffer, { lazyEntries: true }, (openError, zip) => {
            if (openError) return reject(openError);
            const entries = new Map<string, string>();
            zip.on("error", reject);
            zip.on("end", () => resolve(entries));
            zip.on("entry", (entry: yauzl.Entry) => {
                zip.openReadStream(entry, (streamError, stream) => {
                    if (streamError) return reject(streamError);
                    const chunks: Buffer[] = [];
                    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
                    stream.on("error", reject);
                    stream.on("end", () => {
                        entries.set(entry.fileName, Buffer.concat(chunks).toString("utf8"));
                        zip.readEntry();
                    });
                });
            });
            zip.readEntry();
        });
    });
}

/** Every failure must end in exactly one ERROR line naming it; this checks that line completely. */
export function assertOneError(lines: readonly LogLine[], failure: FailureName, msg: string): LogLine {
    const errors = errorLines(lines);
    assert.deepStrictEqual(
        errors.map((line) => [line.failure, line.msg]),
        [[failure, msg]],
    );
    assert.strictEqual(errors[0].exitCode, EXIT_CODES[failure]);
    return errors[0];
}
