/**
 * `npm run stack:check -- <stack>`: fails early (exit 1) when Pulumi.<stack>.yaml lacks what CI needs
 * to preview or deploy it (the encryptionsalt line, the three application secrets as ciphertext), and
 * prints exactly what to run and commit. Exit 0 when ready, 64 on usage errors. Reads only the file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT_USAGE, parseStackCommand } from "./lib/cli";
import { stackFileReadiness } from "./lib/stackCheck";

function main(): number {
    const args = parseStackCommand(process.argv.slice(2), "stack:check");
    if ("message" in args) {
        console.error(args.message);
        return EXIT_USAGE;
    }
    const { stack, configDir: dir } = args;
    const file = path.join(dir ?? path.resolve(__dirname, ".."), `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        console.error(`stack:check: no stack file ${file}`);
        return 1;
    }
    const { problems, instruction } = stackFileReadiness(stack, fs.readFileSync(file, "utf8"));
    if (problems.length === 0) {
        console.log(`stack:check ${stack}: ready (encryptionsalt and the three application secrets are committed, encrypted)`);
        return 0;
    }
    console.error(`stack:check ${stack}: not ready for CI (${problems.length} problem${problems.length === 1 ? "" : "s"}):`);
    for (const p of problems) console.error(`  - ${p}`);
    console.error(`\n${instruction}`);
    return 1;
}

process.exit(main());
