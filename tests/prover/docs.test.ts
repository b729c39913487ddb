import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT_CODES } from "../../prover/runner/exitCodes";
import { REPOSITORY_ROOT } from "./support/childProcess";

describe("prover runner: exit codes and log lines", () => {
    it("documents exactly the exported exit codes in prover/README.md", () => {
        const readme = fs.readFileSync(path.join(REPOSITORY_ROOT, "prover/README.md"), "utf8");
        const rows = readme.matchAll(/^\| (\d+) \| `([A-Z_]+)` \|/gm);
        const documented = [...rows].map((match) => [match[2], Number(match[1])]);
        assert.deepStrictEqual(documented, Object.entries(EXIT_CODES));
    });

    it("gives every outcome its own code, none reserved by shells or Node.js", () => {
        const codes = Object.values(EXIT_CODES);
        assert.strictEqual(new Set(codes).size, codes.length);
        for (const code of codes.filter((value) => value !== 0)) {
            assert.ok(code > 1 && code < 126, `${code}`);
        }
    });
});
