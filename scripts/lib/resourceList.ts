/**
 * The exact, sorted list of what a stack registers (`type::name`, components included), kept in
 * `tests/snapshots/resources.<stack>.txt`: an added or lost resource is a visible line in a diff
 * instead of a count that happens to stay above a threshold.
 */
import * as path from "node:path";
import { PROJECT_ROOT, type SynthResult } from "./synthesize";

export const SNAPSHOT_STACKS = ["develop", "main"] as const;

export function resourceListPath(stack: string): string {
    return path.join(PROJECT_ROOT, "tests", "snapshots", `resources.${stack}.txt`);
}

export function resourceList(result: SynthResult): string {
    const urns = result.resources.map((r) => r.urn).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `${urns.join("\n")}\n`;
}
