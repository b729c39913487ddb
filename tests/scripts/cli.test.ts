import * as assert from "node:assert/strict";
import { EXIT_USAGE, integerOption, parseCommandLine, parseStackCommand } from "../../scripts/lib/cli";
import { parseBurstArgs } from "../../scripts/bench-burst";

const USAGE = "usage: npm run plan -- <stack> [--config-dir <dir>]";
const PLAN = { usage: USAGE, options: { "config-dir": { type: "string" } }, positionals: { min: 1, max: 1 } } as const;

describe("scripts/lib/cli: command lines through node:util parseArgs", () => {
    it("answers usage errors with EX_USAGE", () => assert.equal(EXIT_USAGE, 64));

    const cases: [string, string[], ReturnType<typeof parseCommandLine>][] = [
        ["a stack", ["develop"], { ok: true, values: {}, positionals: ["develop"] }],
        ["a stack and a directory", ["develop", "--config-dir", "dir"], { ok: true, values: { "config-dir": "dir" }, positionals: ["develop"] }],
        ["the = form", ["develop", "--config-dir=dir"], { ok: true, values: { "config-dir": "dir" }, positionals: ["develop"] }],
        ["the option first", ["--config-dir", "dir", "develop"], { ok: true, values: { "config-dir": "dir" }, positionals: ["develop"] }],
        ["no stack", [], { ok: false, message: USAGE }],
        ["two stacks", ["develop", "main"], { ok: false, message: `unexpected argument(s): main\n${USAGE}` }],
        [
            "an unknown option",
            ["develop", "--fast"],
            {
                ok: false,
                message: `Unknown option '--fast'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "--fast"\n${USAGE}`,
            },
        ],
        ["an option without its value", ["develop", "--config-dir"], { ok: false, message: `Option '--config-dir <value>' argument missing\n${USAGE}` }],
    ];
    for (const [name, args, expected] of cases) {
        it(name, () => assert.deepEqual(parseCommandLine(args, PLAN), expected));
    }

    it("refuses a value given to a boolean flag", () => {
        const result = parseCommandLine(["develop", "--write=yes"], { usage: "u", options: { write: { type: "boolean" } }, positionals: { min: 1, max: 1 } });
        assert.deepEqual(result, { ok: false, message: "Option '--write' does not take an argument\nu" });
    });

    const integers: [string | undefined, number | undefined, string[]][] = [
        [undefined, undefined, []],
        ["1", 1, []],
        ["20", 20, []],
        ["0", undefined, ['--n: "0" must be an integer from 1 to 20']],
        ["21", undefined, ['--n: "21" must be an integer from 1 to 20']],
        ["1.5", undefined, ['--n: "1.5" must be an integer from 1 to 20']],
        ["-3", undefined, ['--n: "-3" must be an integer from 1 to 20']],
        ["1e1", undefined, ['--n: "1e1" must be an integer from 1 to 20']],
    ];
    for (const [value, expected, problems] of integers) {
        it(`integerOption ${JSON.stringify(value)}`, () => {
            const found: string[] = [];
            assert.equal(integerOption(value, "--n", 1, 20, found), expected);
            assert.deepEqual(found, problems);
        });
    }
});

describe("bench:burst arguments", () => {
    const usage = "usage: npm run bench:burst [-- --requests <n>] [--limit <n>] [--host-ms <ms>]";
    const cases: [string[], ReturnType<typeof parseBurstArgs>][] = [
        [[], { requests: 20, limit: 2, hostMs: 10000 }],
        [["--requests", "40", "--limit", "4", "--host-ms", "500"], { requests: 40, limit: 4, hostMs: 500 }],
        [["--limit=3"], { requests: 20, limit: 3, hostMs: 10000 }],
        [["--requests", "0"], `--requests: "0" must be an integer from 1 to 999999\n${usage}`],
        [["--burst", "3"], `Unknown option '--burst'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "--burst"\n${usage}`],
        [["20"], `unexpected argument(s): 20\n${usage}`],
    ];
    for (const [args, expected] of cases) {
        it(JSON.stringify(args), () => assert.deepEqual(parseBurstArgs(args), expected));
    }
});

describe("plan and stack:check command line", () => {
    const usage = "usage: npm run stack:check -- <stack> [--config-dir <dir holding Pulumi.<stack>.yaml>]";
    const cases: [string[], ReturnType<typeof parseStackCommand>][] = [
        [["develop"], { stack: "develop", configDir: undefined }],
        [["main", "--config-dir", "tests/fixtures"], { stack: "main", configDir: "tests/fixtures" }],
        [[], { message: usage }],
        [["develop", "--dir", "x"], { message: `Unknown option '--dir'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "--dir"\n${usage}` }],
    ];
    for (const [args, expected] of cases) {
        it(JSON.stringify(args), () => assert.deepEqual(parseStackCommand(args, "stack:check"), expected));
    }
});
