import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { SNAPSHOT_STACKS, resourceList, resourceListPath } from "../../scripts/lib/resourceList";
import { synth } from "../support/synth";

describe("exact resource list per committed stack (regenerate: npm run snapshots)", () => {
    for (const stack of SNAPSHOT_STACKS) {
        it(`${stack} registers exactly the resources in tests/snapshots/resources.${stack}.txt`, async () => {
            const expected = fs.readFileSync(resourceListPath(stack), "utf8");
            assert.equal(resourceList(await synth(stack)), expected, `run \`npm run snapshots\` and review the diff of tests/snapshots/resources.${stack}.txt`);
        });
    }
});
