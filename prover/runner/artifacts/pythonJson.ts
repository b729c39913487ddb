/**
 * JSON text exactly as the original runner wrote its artifacts: Python's `json.dump(value, handle)`
 * with its defaults, i.e. `", "` and `": "` separators and `ensure_ascii=True` (every character
 * outside printable ASCII written as a `\uXXXX` escape, lowercase hex). Writing the same bytes, not
 * only the same fields, keeps any byte-level comparison or digest of the published files stable
 * across the port. Only what the artifacts contain is supported: objects, arrays, strings, safe
 * integers, booleans and null.
 */
export function pythonJsonDump(value: unknown): string {
    if (value === null) return "null";
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") {
        if (!Number.isSafeInteger(value)) {
            throw new TypeError(`pythonJsonDump: only safe integers are written (got ${value})`);
        }
        return String(value);
    }
    if (typeof value === "string") return pythonString(value);
    if (Array.isArray(value)) return `[${value.map(pythonJsonDump).join(", ")}]`;
    if (typeof value === "object") {
        const members = Object.entries(value as Record<string, unknown>).map(([key, member]) => {
            if (member === undefined) throw new TypeError(`pythonJsonDump: ${key} is undefined`);
            return `${pythonString(key)}: ${pythonJsonDump(member)}`;
        });
        return `{${members.join(", ")}}`;
    }
    throw new TypeError(`pythonJsonDump: cannot write a ${typeof value}`);
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
};

/** Python's `py_encode_basestring_ascii`: escapes everything but printable ASCII (0x20..0x7e), per UTF-16 unit. */
function pythonString(text: string): string {
    let out = '"';
    for (let i = 0; i < text.length; i += 1) {
        const char = text[i];
        const code = text.charCodeAt(i);
        const short = SHORT_ESCAPES[char];
        if (short !== undefined) {
            out += short;
        } else if (code < 0x20 || code > 0x7e) {
            out += `\\u${code.toString(16).padStart(4, "0")}`;
        } else {
            out += char;
        }
    }
    return `${out}"`;
}

/**
 * Python's `json.dumps(value, separators=(",", ":"), ensure_ascii=False)`, the text the election
 * config hash is taken over. For the values hashed (strings, integers, arrays, objects) it is
 * JSON.stringify: same separators, the same escapes, non-ASCII written as is.
 */
export function compactJson(value: unknown): string {
    return JSON.stringify(value);
}
