/**
 * Small readers shared by the artifact builders, each a port of a helper of the original runner
 * (docker/entrypoint.sh of hwatanabe-jp/stark-ballot-simulator-public). The original has three
 * different `bytes_to_hex` helpers; each is kept with its own rules, because the artifacts it builds
 * must come out the same, field for field.
 */

/** Why an artifact could not be built or checked; the message is the original runner's. */
export class ArtifactError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ArtifactError";
    }
}

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Python `isinstance(value, int)` for parsed JSON (booleans are not counted as integers here). */
export function isInt(value: unknown): value is number {
    return typeof value === "number" && Number.isInteger(value);
}

/**
 * `get_value(record, *keys)`: the value of the first key the record has, even when it is null;
 * undefined when it has none of them or is not an object.
 */
export function firstPresent(record: unknown, ...keys: string[]): unknown {
    if (!isRecord(record)) return undefined;
    for (const key of keys) {
        if (Object.prototype.hasOwnProperty.call(record, key)) return record[key];
    }
    return undefined;
}

const HEX = /^[0-9a-fA-F]+$/;

function isIntList(value: unknown): value is number[] {
    return Array.isArray(value) && value.every(isInt);
}

function isByteList(value: unknown): value is number[] {
    return isIntList(value) && value.every((item) => item >= 0 && item <= 255);
}

function hexOfBytes(bytes: readonly number[]): string {
    return `0x${Buffer.from(bytes).toString("hex")}`;
}

function uuidOfHex(hex: string): string {
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The journal's strict reader: a hex string (optional `0x`, even, non-empty) or a byte array, of
 * exactly `length` bytes when given; the result is `0x` + lowercase hex.
 */
export function strictHex(value: unknown, length?: number): string | undefined {
    if (typeof value === "string") {
        const compact = value.startsWith("0x") ? value.slice(2) : value;
        if (compact.length === 0 || compact.length % 2 !== 0 || !HEX.test(compact)) return undefined;
        if (length !== undefined && compact.length !== length * 2) return undefined;
        return `0x${compact.toLowerCase()}`;
    }
    if (isByteList(value)) {
        if (length !== undefined && value.length !== length) return undefined;
        return hexOfBytes(value);
    }
    return undefined;
}

/** The journal's UUID reader: 32 hex digits (dashes ignored) or 16 bytes, written lowercase 8-4-4-4-12. */
export function strictUuid(value: unknown): string | undefined {
    if (typeof value === "string") {
        const compact = value.replace(/-/g, "");
        return /^[0-9a-fA-F]{32}$/.test(compact) ? uuidOfHex(compact.toLowerCase()) : undefined;
    }
    if (isByteList(value) && value.length === 16) {
        return uuidOfHex(Buffer.from(value).toString("hex"));
    }
    return undefined;
}

/**
 * The public-input and close-statement reader: a string is taken as it is (only `0x` added when
 * missing), a byte array must have `length` bytes. A byte outside 0..255 made Python's `bytes()`
 * raise; here it gives undefined, so the caller reports the field.
 */
export function looseHex(value: unknown, length?: number): string | undefined {
    if (typeof value === "string") {
        return value.startsWith("0x") ? value : `0x${value}`;
    }
    if (isIntList(value)) {
        if (length !== undefined && value.length !== length) return undefined;
        return isByteList(value) ? hexOfBytes(value) : undefined;
    }
    return undefined;
}

/** The election-manifest reader: `looseHex`, and a string must also have exactly `length` bytes of digits. */
export function manifestHex(value: unknown, length: number): string | undefined {
    if (typeof value === "string") {
        const normalized = value.startsWith("0x") ? value : `0x${value}`;
        return normalized.length === 2 + length * 2 ? normalized : undefined;
    }
    return looseHex(value, length);
}

/** The lenient UUID reader of public-input and election-manifest: a string as it is, or 16 bytes. */
export function looseUuid(value: unknown): string | undefined {
    if (typeof value === "string") return value;
    if (isIntList(value) && value.length === 16 && isByteList(value)) {
        return uuidOfHex(Buffer.from(value).toString("hex"));
    }
    return undefined;
}

/** Python `bytes.fromhex` for the digests (pairs of hex digits only). */
export function bytesOfHex(hex: string, label: string): Buffer {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) {
        throw new ArtifactError(`Invalid hex in ${label}`);
    }
    return Buffer.from(hex, "hex");
}

/** `struct.pack("<H" | "<I" | "<Q", value)`, which raised for a value out of range. */
export function uintLE(value: number, bytes: 2 | 4 | 8, label: string): Buffer {
    const max = bytes === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (bytes * 8) - 1;
    if (!isInt(value) || value < 0 || value > max) {
        throw new ArtifactError(`${label} does not fit in ${bytes * 8} bits: ${value}`);
    }
    const out = Buffer.alloc(bytes);
    if (bytes === 2) out.writeUInt16LE(value);
    else if (bytes === 4) out.writeUInt32LE(value);
    else out.writeBigUInt64LE(BigInt(value));
    return out;
}
