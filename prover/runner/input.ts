import * as fs from "node:fs/promises";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { firstMissingInputField } from "./artifacts/inputFields";
import { InputSource } from "./config";
import { describeError, errorCode, RunnerFailure } from "./failure";
import { errorNameOf, httpStatusOf, S3Sender, s3Url } from "./s3Client";

const S3_NOT_FOUND = new Set(["NoSuchKey", "NoSuchBucket", "NotFound"]);

export function describeInputSource(source: InputSource): string {
    return source.kind === "s3" ? s3Url(source.bucket, source.key) : source.path;
}

/** The input's text, exactly as stored: the host gets the same bytes prover-dispatch wrote. */
export async function readInput(source: InputSource, s3: S3Sender, signal?: AbortSignal): Promise<string> {
    const where = describeInputSource(source);
    try {
        if (source.kind === "file") {
            return await fs.readFile(source.path, { encoding: "utf8", signal });
        }
        const response = await s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }), {
            abortSignal: signal,
        });
        if (response.Body === undefined) {
            throw new RunnerFailure("INPUT_UNREADABLE", `input ${where} has no body`, { input: where });
        }
        return await response.Body.transformToString("utf-8");
    } catch (error) {
        if (error instanceof RunnerFailure) throw error;
        if (isNotFound(error)) {
            throw new RunnerFailure("INPUT_NOT_FOUND", `input not found: ${where}`, {
                input: where,
                error: describeError(error),
            });
        }
        throw new RunnerFailure("INPUT_UNREADABLE", `input could not be read: ${where}: ${describeError(error)}`, {
            input: where,
        });
    }
}

function isNotFound(error: unknown): boolean {
    return errorCode(error) === "ENOENT" || S3_NOT_FOUND.has(errorNameOf(error) ?? "") || httpStatusOf(error) === 404;
}

/** The contract (`WorkMessage.input`) says the host input is a JSON object; anything else is refused. Returns it parsed. */
export function parseJsonObject(text: string, where: string): Record<string, unknown> {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        throw new RunnerFailure("INPUT_NOT_JSON_OBJECT", `input is not valid JSON: ${where}: ${describeError(error)}`, {
            input: where,
        });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
        throw new RunnerFailure("INPUT_NOT_JSON_OBJECT", `input is ${kind}, not a JSON object: ${where}`, {
            input: where,
        });
    }
    return value as Record<string, unknown>;
}

/** The original runner's required fields, checked before the (long) host run. */
export function assertRequiredInputFields(input: Record<string, unknown>, where: string): void {
    const missing = firstMissingInputField(input);
    if (missing !== undefined) {
        throw new RunnerFailure("INPUT_MISSING_FIELD", `input lacks a required field: ${missing}: ${where}`, {
            input: where,
            field: missing,
        });
    }
}
