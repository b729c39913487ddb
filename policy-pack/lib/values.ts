/**
 * Small readers for provider property values. Policy documents, container definitions and redrive
 * policies reach a policy as JSON strings (or, for typed inputs, as objects), so both are accepted.
 */

/** The parsed JSON of a string, the value itself if it is already an object, else undefined. */
export function parseJsonValue(value: unknown): unknown {
    if (typeof value === "string") {
        try {
            return JSON.parse(value);
        } catch {
            return undefined;
        }
    }
    return value !== null && typeof value === "object" ? value : undefined;
}

/** IAM and AWS APIs accept a single value wherever they accept a list. */
export function asArray<T>(value: T | readonly T[] | undefined | null): T[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? [...value] : [value as T];
}

export function isRecord(value: unknown): value is Record<string, any> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function isPositiveNumber(value: unknown): boolean {
    return typeof value === "number" && Number.isFinite(value) && value > 0;
}

export function isNonEmptyString(value: unknown): value is string {
    return typeof value === "string" && value.trim() !== "";
}

/** `Bool` condition values come as `false`, `"false"` or a one-element list of either. */
export function isFalseLike(value: unknown): boolean {
    const values = asArray(value as unknown);
    return values.length > 0 && values.every((v) => v === false || (typeof v === "string" && v.toLowerCase() === "false"));
}

/**
 * True when `key` holds a value, including one the engine does not know yet during a preview (an
 * output of a resource still to be created is a value all the same). Reads the own property
 * descriptor rather than the property: CrossGuard's props proxy throws on reading an unknown.
 */
export function hasValue(container: unknown, key: string): boolean {
    if (!isRecord(container)) return false;
    const value = Object.getOwnPropertyDescriptor(container, key)?.value;
    return value !== undefined && value !== null && value !== "";
}

/**
 * The values CrossGuard puts in place of what the engine does not know yet during a preview, one
 * per kind (boolean, number, string, array, asset, archive, object): `@pulumi/policy`'s proxy.js.
 */
export const UNKNOWN_VALUES: readonly string[] = [
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
];

/**
 * `container[key]` when known; undefined when absent or unknown during a preview. Reads the own
 * property descriptor (CrossGuard's props proxy throws on reading an unknown), so a rule can judge
 * what is known now and leave the rest to `pulumi up`.
 */
export function knownValue(container: unknown, key: string): unknown {
    if (!isRecord(container)) return undefined;
    const value = Object.getOwnPropertyDescriptor(container, key)?.value;
    return typeof value === "string" && UNKNOWN_VALUES.includes(value) ? undefined : value;
}
