/**
 * A strict JSON (RFC 8259) scanner for request bodies, so the proof input can travel as the exact
 * bytes the client sent: it finds the raw text of each top-level member, bounds the nesting depth
 * before anything recursive (JSON.parse, JSON.stringify, the zkVM host's parser) sees the body, and
 * refuses numbers that would not survive a parse and re-serialization unchanged (`1.0`, `1e20`,
 * `12345678901234567890`, `-0`): the api validates with JavaScript numbers, so such a number would mean
 * one thing to the api and another to the prover.
 *
 * Recursive descent is safe because the depth is checked before each descent.
 */
import { ApiError } from "./errors";

/** Raw text of each top-level member's value, by (decoded) member name. */
export type RawMembers = ReadonlyMap<string, string>;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;
const STRING_BODY = /(?:[^"\\\u0000-\u001F]|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{4})*"/y;

export function scanJsonObject(text: string, maxDepth: number): RawMembers {
    const scanner = new Scanner(text, maxDepth);
    return scanner.topLevel();
}

class Scanner {
    private i = 0;

    constructor(
        private readonly text: string,
        private readonly maxDepth: number,
    ) {}

    topLevel(): RawMembers {
        this.skipWhitespace();
        if (this.text[this.i] !== "{") {
            throw new ApiError(400, "invalid_request", "request body must be a JSON object {sessionId, input}");
        }
        const members = new Map<string, string>();
        this.object(1, (name, start, end) => {
            if (members.has(name)) {
                throw new ApiError(400, "invalid_request", `duplicate field ${name}`);
            }
            members.set(name, this.text.slice(start, end));
        });
        this.skipWhitespace();
        if (this.i !== this.text.length) {
            this.syntaxError();
        }
        return members;
    }

    private value(depth: number): void {
        this.skipWhitespace();
        const c = this.text[this.i];
        if (c === "{") {
            this.object(depth + 1);
        } else if (c === "[") {
            this.array(depth + 1);
        } else if (c === '"') {
            this.string();
        } else if (this.text.startsWith("true", this.i) || this.text.startsWith("null", this.i)) {
            this.i += 4;
        } else if (this.text.startsWith("false", this.i)) {
            this.i += 5;
        } else {
            this.number();
        }
    }

    private object(depth: number, onMember?: (name: string, start: number, end: number) => void): void {
        this.enter(depth);
        this.skipWhitespace();
        if (this.text[this.i] === "}") {
            this.i++;
            return;
        }
        for (;;) {
            this.skipWhitespace();
            const nameStart = this.i;
            this.string();
            const name = JSON.parse(this.text.slice(nameStart, this.i)) as string;
            this.skipWhitespace();
            this.expect(":");
            this.skipWhitespace();
            const start = this.i;
            this.value(depth);
            onMember?.(name, start, this.i);
            this.skipWhitespace();
            if (this.text[this.i] === ",") {
                this.i++;
                continue;
            }
            this.expect("}");
            return;
        }
    }

    private array(depth: number): void {
        this.enter(depth);
        this.skipWhitespace();
        if (this.text[this.i] === "]") {
            this.i++;
            return;
        }
        for (;;) {
            this.value(depth);
            this.skipWhitespace();
            if (this.text[this.i] === ",") {
                this.i++;
                continue;
            }
            this.expect("]");
            return;
        }
    }

    private enter(depth: number): void {
        if (depth > this.maxDepth) {
            throw new ApiError(400, "too_deep", `input nests deeper than ${this.maxDepth - 1} levels`);
        }
        this.i++;
    }

    private string(): void {
        if (this.text[this.i] !== '"') {
            this.syntaxError();
        }
        STRING_BODY.lastIndex = this.i + 1;
        if (!STRING_BODY.test(this.text)) {
            this.syntaxError();
        }
        this.i = STRING_BODY.lastIndex;
    }

    private number(): void {
        NUMBER.lastIndex = this.i;
        const match = NUMBER.exec(this.text);
        if (match === null) {
            this.syntaxError();
        }
        const token = match[0];
        if (JSON.stringify(Number(token)) !== token) {
            throw new ApiError(400, "invalid_number", `the number ${token.length > 40 ? `${token.slice(0, 40)}…` : token} does not survive a round trip through a JSON parser; send it as ${JSON.stringify(Number(token))} or as a string`);
        }
        this.i = NUMBER.lastIndex;
    }

    private expect(c: string): void {
        if (this.text[this.i] !== c) {
            this.syntaxError();
        }
        this.i++;
    }

    private skipWhitespace(): void {
        WHITESPACE.lastIndex = this.i;
        WHITESPACE.test(this.text);
        this.i = WHITESPACE.lastIndex;
    }

    private syntaxError(): never {
        throw new ApiError(400, "invalid_json", "request body is not valid JSON");
    }
}
