/**
 * `npm run snapshots`: regenerates what the tests compare against a fresh synthesis: the exact
 * resource list of each committed stack (tests/snapshots/resources.<stack>.txt) and the README's
 * pictures of develop (architecture and state machine). Run it after a change that adds, removes or renames resources,
 * then review the diff like any other change.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readmeBlocks, replaceReadmeBlock } from "./lib/diagram";
import { SNAPSHOT_STACKS, resourceList, resourceListPath } from "./lib/resourceList";
import { PROJECT_ROOT, synthesizeStack } from "./lib/synthesize";

function write(file: string, content: string): void {
    const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    fs.writeFileSync(file, content);
    console.log(`${path.relative(PROJECT_ROOT, file)}: ${before === content ? "unchanged" : "updated"}`);
}

async function main(): Promise<void> {
    for (const stack of SNAPSHOT_STACKS) {
        const result = await synthesizeStack(stack);
        write(resourceListPath(stack), resourceList(result));
        if (stack === "develop") {
            const readmePath = path.join(PROJECT_ROOT, "README.md");
            write(readmePath, readmeBlocks(result).reduce((text, b) => replaceReadmeBlock(text, b.id, b.block), fs.readFileSync(readmePath, "utf8")));
        }
    }
}

main().catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
});
