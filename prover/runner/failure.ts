import { EXIT_CODES, ExitCode, FailureName } from "./exitCodes";

/**
 * A failure the runner understands: it carries the exit code and the one message the ERROR log line
 * will say. Steps throw it; only `runProver` logs it, so every failure produces exactly one ERROR line.
 */
export class RunnerFailure extends Error {
    readonly exitCode: ExitCode;

    constructor(
        readonly failure: FailureName,
        message: string,
        readonly details: Readonly<Record<string, unknown>> = {},
    ) {
        super(message);
        this.name = "RunnerFailure";
        this.exitCode = EXIT_CODES[failure];
    }
}

/** `Name: message` of anything thrown; JSON.stringify of an Error would log `{}`. */
export function describeError(error: unknown): string {
    if (error instanceof Error) {
        return `${error.name}: ${error.message}`;
    }
    return String(error);
}

/** Node's system error code (`ENOENT`, `EACCES`, ...) if the error has one. */
export function errorCode(error: unknown): string | undefined {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === "string" ? code : undefined;
}
