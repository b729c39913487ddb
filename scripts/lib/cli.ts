/**
 * Command lines of the npm scripts, parsed by Node's own `parseArgs` (node:util) in strict mode: an
 * unknown option, an option without its value or a value given to a flag is refused with Node's
 * message naming it, followed by the script's usage. Every script answers a usage error with exit
 * code 64 (EX_USAGE of sysexits.h).
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

export const EXIT_USAGE = 64;

export interface CommandLine<O extends ParseArgsOptionsConfig> {
    /** The whole usage line, printed with every refusal. */
    usage: string;
    options: O;
    /** How many positional arguments the command takes. */
    positionals: { min: number; max: number };
}

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

export type CommandLineResult<O extends ParseArgsOptionsConfig> =
    | { ok: true; values: Parsed<O>["values"]; positionals: string[] }
    | { ok: false; message: string };

export function parseCommandLine<const O extends ParseArgsOptionsConfig>(args: readonly string[], spec: CommandLine<O>): CommandLineResult<O> {
    let parsed: Parsed<O>;
    try {
        parsed = parseArgs({ args: [...args], options: spec.options, allowPositionals: true, strict: true });
    } catch (e) {
        return { ok: false, message: `${(e as Error).message}\n${spec.usage}` };
    }
    const count = parsed.positionals.length;
    if (count < spec.positionals.min || count > spec.positionals.max) {
        return { ok: false, message: count > spec.positionals.max ? `unexpected argument(s): ${parsed.positionals.slice(spec.positionals.max).join(" ")}\n${spec.usage}` : spec.usage };
    }
    // A plain object: parseArgs returns one without a prototype.
    return { ok: true, values: { ...parsed.values }, positionals: parsed.positionals };
}

/** A whole number from `min` to `max` in plain digits; otherwise undefined, with the problem (naming the option) added. */
export function integerOption(value: string | undefined, option: string, min: number, max: number, problems: string[]): number | undefined {
    if (value === undefined) return undefined;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (n >= min && n <= max) return n;
    problems.push(`${option}: "${value}" must be an integer from ${min} to ${max}`);
    return undefined;
}

/** `npm run <script> -- <stack> [--config-dir <dir>]`: the command line of plan and stack:check. */
export function parseStackCommand(args: readonly string[], script: string): { stack: string; configDir: string | undefined } | { message: string } {
    const parsed = parseCommandLine(args, {
        usage: `usage: npm run ${script} -- <stack> [--config-dir <dir holding Pulumi.<stack>.yaml>]`,
        options: { "config-dir": { type: "string" } },
        positionals: { min: 1, max: 1 },
    });
    return parsed.ok ? { stack: parsed.positionals[0], configDir: parsed.values["config-dir"] } : { message: parsed.message };
}
