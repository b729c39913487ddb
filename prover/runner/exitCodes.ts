/**
 * Exit codes of the prover runner, one per failure, so an operator can tell from the stopped task's
 * container exit code alone which step failed. Documented in `prover/README.md` (a test keeps the
 * table and this constant equal).
 *
 * Codes stay below 126: 126, 127 and 128 + n mean "not executable", "not found" and "killed by
 * signal n" to shells and container runtimes, and 1 is what Node.js uses for an uncaught exception.
 */
export const EXIT_CODES = {
    SUCCESS: 0,
    CONFIG_INVALID: 10,
    INPUT_NOT_FOUND: 11,
    INPUT_UNREADABLE: 12,
    INPUT_NOT_JSON_OBJECT: 13,
    SCRATCH_UNAVAILABLE: 14,
    INPUT_MISSING_FIELD: 15,
    HOST_NOT_FOUND: 20,
    HOST_NOT_EXECUTABLE: 21,
    HOST_FAILED: 22,
    HOST_TIMEOUT: 23,
    HOST_ISOLATION_UNAVAILABLE: 24,
    BUNDLE_INCOMPLETE: 30,
    BUNDLE_FAILED: 31,
    JOURNAL_INVALID: 32,
    PUBLIC_INPUT_INVALID: 33,
    ELECTION_MANIFEST_INVALID: 34,
    CLOSE_STATEMENT_INVALID: 35,
    ARTIFACTS_INCONSISTENT: 36,
    UPLOAD_FAILED: 40,
    STOPPED: 50,
    INTERNAL_ERROR: 70,
} as const;

export type ExitCodeName = keyof typeof EXIT_CODES;
export type ExitCode = (typeof EXIT_CODES)[ExitCodeName];
/** Every outcome except success. */
export type FailureName = Exclude<ExitCodeName, "SUCCESS">;
