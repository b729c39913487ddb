/**
 * Entrypoint of the prover container (bundled by prover/bundleRunner.ts into one file).
 * Configuration comes from the environment; see prover/README.md.
 */
import { EXIT_CODES } from "./exitCodes";
import { describeError } from "./failure";
import { createLogger } from "../../lambdas/shared/log";
import { runProver } from "./runProver";

// ECS StopTask (Step Functions timeout or abort) sends SIGTERM. The runner is PID 1 in the container,
// and the kernel ignores signals PID 1 has no handler for, so without this the host would run on
// until the SIGKILL that follows.
const stop = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => stop.abort(signal));
}

runProver(process.env, { signal: stop.signal }).then(
    (code) => process.exit(code),
    (error: unknown) => {
        // runProver resolves for every failure; reaching this is a bug, still reported as one ERROR line.
        createLogger().error(`prover runner crashed: ${describeError(error)}`, {
            failure: "INTERNAL_ERROR",
            exitCode: EXIT_CODES.INTERNAL_ERROR,
        });
        process.exit(EXIT_CODES.INTERNAL_ERROR);
    },
);
