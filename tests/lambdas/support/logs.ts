import { createLogger, type Logger } from "../../../lambdas/shared/log";

export interface LogEntry {
    time: string;
    level: "INFO" | "WARN" | "ERROR";
    msg: string;
    [field: string]: unknown;
}

export interface CapturedLogs {
    logger: Logger;
    /** Every line written so far, parsed (so a line that is not JSON fails the test). */
    entries(): LogEntry[];
    at(level: LogEntry["level"]): LogEntry[];
}

export const LOG_TIME = new Date("2026-03-01T00:00:00.000Z");

export function captureLogs(): CapturedLogs {
    const lines: string[] = [];
    const logger = createLogger((line) => lines.push(line), () => LOG_TIME);
    const entries = () => lines.map((line) => JSON.parse(line) as LogEntry);
    return { logger, entries, at: (level) => entries().filter((entry) => entry.level === level) };
}
