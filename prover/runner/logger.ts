/**
 * JSON-lines logger. Each line is `{"level","msg","time",...fields}`; the awslogs driver ships stdout
 * to CloudWatch, where the alarm's metric filter matches `{ $.level = "ERROR" }`. Only `runProver`
 * writes ERROR (once per failed run); everything recoverable is WARN.
 */
export type LogLevel = "INFO" | "WARN" | "ERROR";
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
    info(msg: string, fields?: LogFields): void;
    warn(msg: string, fields?: LogFields): void;
    error(msg: string, fields?: LogFields): void;
}

export type LineWriter = (line: string) => void;

const writeStdout: LineWriter = (line) => {
    process.stdout.write(line);
};

export function createLogger(write: LineWriter = writeStdout, now: () => Date = () => new Date()): Logger {
    const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
        const head = { level, msg, time: now().toISOString() };
        // Assigning the head again after the fields keeps it first in the line and stops a field
        // named `level` or `msg` from changing what the metric filter sees.
        write(`${JSON.stringify(Object.assign({ ...head }, fields, head))}\n`);
    };
    return {
        info: (msg, fields) => emit("INFO", msg, fields),
        warn: (msg, fields) => emit("WARN", msg, fields),
        error: (msg, fields) => emit("ERROR", msg, fields),
    };
}
