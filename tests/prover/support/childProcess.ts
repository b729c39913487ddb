import { spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { LogLine } from "./harness";

export const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..", "..");

export interface ChildResult {
    code: number | null;
    lines: LogLine[];
    stderr: string;
}

/**
 * Runs `node <args>` from the repository root with exactly `env` (plus PATH, which the fake host's
 * `#!/usr/bin/env node` needs), parsing every stdout line as a log line. A stdout line that is not
 * JSON fails the JSON.parse and so the test.
 */
export function runNode(
    args: readonly string[],
    env: Record<string, string>,
    onLine?: (line: LogLine, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<ChildResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, {
            cwd: REPOSITORY_ROOT,
            env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const lines: LogLine[] = [];
        let stderr = "";
        let parseError: unknown;
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        readline.createInterface({ input: child.stdout }).on("line", (raw) => {
            try {
                const line = JSON.parse(raw) as LogLine;
                lines.push(line);
                onLine?.(line, (signal) => child.kill(signal));
            } catch (error) {
                parseError ??= new Error(`stdout line is not JSON: ${raw} (${String(error)})`);
            }
        });
        child.once("error", reject);
        child.once("close", (code) => (parseError ? reject(parseError) : resolve({ code, lines, stderr })));
    });
}
