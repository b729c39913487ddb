/**
 * The prover slot table (admission control, builders/proofSlots.ts): one item per semaphore holding
 * the number of slots taken and one attribute per holder (named by its execution name, valued with
 * its execution ARN). Plain data: bundled into the cleanup Lambda.
 */
import type { TableSchema } from "./tables";

export const PROOF_SLOTS_TABLE_SCHEMA: TableSchema = Object.freeze({
    hashKey: Object.freeze({ name: "semaphore", type: "S" as const }),
});

export const PROOF_SLOT_ITEM = Object.freeze({
    /** Hash key value of the prover semaphore's item. */
    name: "prover",
    /** Number attribute: slots taken. */
    countAttribute: "slotsTaken",
});

/** Attributes of the item that are not holders. */
export function isHolderAttribute(name: string): boolean {
    return name !== PROOF_SLOTS_TABLE_SCHEMA.hashKey.name && name !== PROOF_SLOT_ITEM.countAttribute;
}
