/**
 * The one JSON-lines logger of the code that runs in AWS: every Lambda handler and the prover runner
 * (prover/Dockerfile copies lambdas/shared/ into the image build). Each line is one object,
 * `{"level","msg","time",...fields}`, `level` one of INFO, WARN, ERROR.
 *
 * Written with `process.stdout.write` rather than `console.log`, because the Lambda runtime prefixes
 * console output with a timestamp and request id, which would break the metric filters and Logs
 * Insights queries: the prover's error metric filter matches `{ $.level = "ERROR" }` and its
 * dashboard query reads `level` and `msg` (builders/alarms.ts). So the head (`level`, `msg`, `time`)
 * is written after the fields too: a field of the same name can neither change nor hide it.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
 */

export type LogLevel = "INFO" | "WARN" | "ERROR";
export type LogFields = Readonly<Record<string, unknown>>;
/** Receives each line as its JSON text, without the trailing newline. */
export type LogSink = (line: string) => void;

export interface Logger {
    info(msg: string, fields?: LogFields): void;
    warn(msg: string, fields?: LogFields): void;
    error(msg: string, fields?: LogFields): void;
}

const stdoutSink: LogSink = (line) => {
    process.stdout.write(`${line}\n`);
};

export function createLogger(sink: LogSink = stdoutSink, now: () => Date = () => new Date()): Logger {
    const write = (level: LogLevel, msg: string, fields: LogFields = {}) => {
        const head = { level, msg, time: now().toISOString() };
        // The first head keeps these keys first in the line; the last one wins over any field.
        sink(JSON.stringify(Object.assign({ ...head }, fields, head)));
    };
    return {
        info: (msg, fields) => write("INFO", msg, fields),
        warn: (msg, fields) => write("WARN", msg, fields),
        error: (msg, fields) => write("ERROR", msg, fields),
    };
}

/** Log fields describing an error; the stack only when asked, for unexpected failures. */
export function errorFields(error: unknown, withStack = false): LogFields {
    if (error instanceof Error) {
        return withStack
            ? { errorName: error.name, errorMessage: error.message, stack: error.stack }
            : { errorName: error.name, errorMessage: error.message };
    }
    return { errorName: typeof error, errorMessage: String(error) };
}
