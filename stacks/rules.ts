/**
 * Small reusable validators. Each returns the problem as text (naming the rule) or undefined, so
 * the config parser can collect every problem of a stack file and report them at once. Rules that
 * code running in AWS applies too (digests, image ids, the proof prefix, bucket names) live in
 * lambdas/shared/rules.ts instead.
 */

export const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
export { DOMAIN_NAME, EMAIL } from "../builders/addressRules";

export { isPlainObject } from "../lambdas/shared/validation";

/** A concrete browser origin: scheme and host (and port), no path, wildcard or placeholder. */
export function originProblem(value: unknown): string | undefined {
    if (typeof value !== "string") return "must be a string";
    if (/[<>*]/.test(value)) return `"${value}" is a placeholder or wildcard, not a concrete origin`;
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return `"${value}" is not a URL`;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return `"${value}" must use http:// or https://`;
    if (url.origin !== value) return `"${value}" must be exactly an origin (scheme://host[:port], no path or trailing slash)`;
    return undefined;
}

export function integerProblem(value: unknown, min: number, max: number): string | undefined {
    if (typeof value !== "number" || !Number.isInteger(value)) return "must be an integer";
    if (value < min || value > max) return `must be between ${min} and ${max}`;
    return undefined;
}

/**
 * Valid Fargate CPU/memory pairs (ECS developer guide, "Task CPU and memory"). 8 and 16 vCPU need
 * platform version 1.4.0 or later, which is the default.
 */
const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: range(1024, 4096, 1024),
    1024: range(2048, 8192, 1024),
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
    8192: range(16384, 61440, 4096),
    16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
    const out: number[] = [];
    for (let v = from; v <= to; v += step) out.push(v);
    return out;
}

export function fargateSizeProblem(cpu: number, memory: number): string | undefined {
    const allowed = FARGATE_MEMORY_BY_CPU[cpu];
    if (!allowed) return `cpu ${cpu} is not a Fargate size (one of ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")})`;
    if (!allowed.includes(memory)) {
        return `memory ${memory} is not valid with cpu ${cpu} (from ${allowed[0]} to ${allowed[allowed.length - 1]} in steps of ${allowed[1] - allowed[0]})`;
    }
    return undefined;
}

/** Turns an IAM-style ARN pattern (`*` and `?` wildcards) into an anchored regular expression. */
export function arnPatternToRegExp(pattern: string): RegExp {
    const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${escaped}$`);
}
