/**
 * `npm run diagram -- <stack> [--write]`: prints the stack's pictures as Mermaid, derived from the
 * resources the program synthesizes offline (scripts/lib/diagram.ts): the architecture and the
 * prover state machine's flow. With `--write` it replaces the stack's generated blocks in README.md;
 * a test fails while a README block differs from a fresh rendering, so the pictures cannot go stale.
 * Exit codes: 0 done; 1 synthesis failed or README.md has no block for the stack; 64 usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT_USAGE, parseCommandLine } from "./lib/cli";
import { readmeBlocks, replaceReadmeBlock } from "./lib/diagram";
import { PROJECT_ROOT, synthesizeStack } from "./lib/synthesize";

async function main(): Promise<number> {
    const args = parseCommandLine(process.argv.slice(2), {
        usage: "usage: npm run diagram -- <stack> [--write]",
        options: { write: { type: "boolean", default: false } },
        positionals: { min: 1, max: 1 },
    });
    if (!args.ok) {
        console.error(args.message);
        return EXIT_USAGE;
    }
    const [stack] = args.positionals;
    const blocks = readmeBlocks(await synthesizeStack(stack));
    if (!args.values.write) {
        console.log(blocks.map((b) => b.block).join("\n\n"));
        return 0;
    }
    const readmePath = path.join(PROJECT_ROOT, "README.md");
    const readme = fs.readFileSync(readmePath, "utf8");
    const updated = blocks.reduce((text, b) => replaceReadmeBlock(text, b.id, b.block), readme);
    fs.writeFileSync(readmePath, updated);
    console.log(updated === readme ? `README.md: the ${stack} diagrams are already current` : `README.md: the ${stack} diagrams were regenerated`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error((e as Error).message);
        process.exit(1);
    },
);
