/**
 * The fields the original runner requires of the input before it starts the host
 * (`validate_input_json`): each may be given in snake_case or camelCase. A field counts as missing,
 * as with `jq -e '.a // .b'`, when neither name holds a value other than null or false.
 */
import { isRecord } from "./values";

export const REQUIRED_INPUT_FIELDS: readonly { label: string; keys: readonly string[] }[] = [
    { label: "election_id (or electionId)", keys: ["election_id", "electionId"] },
    { label: "election_config_hash (or electionConfigHash)", keys: ["election_config_hash", "electionConfigHash"] },
    { label: "bulletin_root (or bulletinRoot)", keys: ["bulletin_root", "bulletinRoot"] },
    { label: "tree_size (or treeSize)", keys: ["tree_size", "treeSize"] },
    { label: "log_id (or logId)", keys: ["log_id", "logId"] },
    { label: "timestamp", keys: ["timestamp"] },
    { label: "total_expected (or totalExpected)", keys: ["total_expected", "totalExpected"] },
    { label: "votes", keys: ["votes"] },
];

/** The label of the first required field the input lacks (the original stopped at the first), or undefined. */
export function firstMissingInputField(input: unknown): string | undefined {
    const record = isRecord(input) ? input : {};
    for (const { label, keys } of REQUIRED_INPUT_FIELDS) {
        const present = keys.some((key) => {
            const value = Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
            return value !== undefined && value !== null && value !== false;
        });
        if (!present) return label;
    }
    return undefined;
}
