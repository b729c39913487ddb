/**
 * One JSON object per line on stdout. Written with `process.stdout.write` rather than `console.log`
 * because the Lambda runtime prefixes console output with a timestamp and request id, which breaks
 * metric filters and Logs Insights queries on `level`.
 */

export type LogLevel = "INFO" | "WARN" | "ERROR";
export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

export interface Logger {
    info(message: string, fields?: LogFields): void;
    warn(message: string, fields?: LogFields): void;
    error(message: string, fields?: LogFields): void;
}

const stdoutSink: LogSink = (line) => {
    process.stdout.write(`${line}\n`);
};

export function createLogger(sink: LogSink = stdoutSink, now: () => Date = () => new Date()): Logger {
    const write = (level: LogLevel, message: string, fields: LogFields = {}) => {
        sink(JSON.stringify({ time: now().toISOString(), level, message, ...fields }));
    };
    return {
        info: (message, fields) => write("INFO", message, fields),
        warn: (message, fields) => write("WARN", message, fields),
        error: (message, fields) => write("ERROR", message, fields),
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
