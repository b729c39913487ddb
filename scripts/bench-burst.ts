/**
 * `npm run bench:burst [-- --requests N] [--limit L] [--host-ms MS]`: N proof requests at once
 * (default 20) through the local pipeline of the develop stack, the semaphore set to L slots
 * (default 2, the stack's maxConcurrentProofs), the fake host taking MS ms to prove (default 10000: the tasks' own start-up and upload, about a second locally, should not dominate).
 * Prints the figures, and last the line
 *   burst: <N> requests, limit <L>, max running <M>, succeeded <S>, failed <F>, lost <X>, makespan ratio <R>
 * where R is the makespan over ceil(N / L) × MS. Exit 0 when the concurrency never exceeded L, no
 * request was lost, all succeeded and R ≤ 1.2; 1 otherwise; 64 on bad usage.
 * A benchmark, not a test: the ratio depends on the machine (task start-up, upload, polling).
 */
import { PROOF_SLOT_STATES } from "../builders/proofSlots";
import { formatBurstLine, runBurst, runTaskSpans } from "../local/burst";
import { LocalPipeline } from "../local/pipeline";
import { pipelineWiring } from "../local/stackWiring";
import { EXIT_USAGE, integerOption, parseCommandLine } from "./lib/cli";
import { synthesizeStack } from "./lib/synthesize";

const USAGE = "usage: npm run bench:burst [-- --requests <n>] [--limit <n>] [--host-ms <ms>]";
/** Queued executions look for a free slot this often locally (the deployed Wait is 60 s). */
const LOCAL_POLL_MS = 250;
const MAX_RATIO = 1.2;

/** The burst's figures, or the usage problem as text. */
export function parseBurstArgs(argv: readonly string[]): { requests: number; limit: number; hostMs: number } | string {
    const parsed = parseCommandLine(argv, {
        usage: USAGE,
        options: { requests: { type: "string" }, limit: { type: "string" }, "host-ms": { type: "string" } },
        positionals: { min: 0, max: 0 },
    });
    if (!parsed.ok) return parsed.message;
    const problems: string[] = [];
    const requests = integerOption(parsed.values.requests, "--requests", 1, 999999, problems) ?? 20;
    const limit = integerOption(parsed.values.limit, "--limit", 1, 999999, problems) ?? 2;
    const hostMs = integerOption(parsed.values["host-ms"], "--host-ms", 1, 999999, problems) ?? 10000;
    return problems.length > 0 ? `${problems.join("\n")}\n${USAGE}` : { requests, limit, hostMs };
}

async function main(argv: string[]): Promise<number> {
    const args = parseBurstArgs(argv);
    if (typeof args === "string") {
        console.error(args);
        return EXIT_USAGE;
    }
    const wiring = pipelineWiring(await synthesizeStack("develop"));
    const acquire = wiring.stateMachine.definition.States[PROOF_SLOT_STATES.AcquireProofSlot];
    const values = acquire.Parameters.ExpressionAttributeValues as Record<string, { N: string }>;
    console.log(`develop's semaphore: ${values[":limit"].N} slots; this run: ${args.limit}`);
    values[":limit"] = { N: String(args.limit) };
    // The budget is not what is measured: room for the whole burst.
    const api = wiring.functions.api.environment;
    api.PROOFS_PER_HOUR = String(Math.max(Number(api.PROOFS_PER_HOUR), args.requests));
    api.PROOFS_PER_DAY = String(Math.max(Number(api.PROOFS_PER_DAY), args.requests));

    const pipeline = await LocalPipeline.start(wiring, { hostProveMs: args.hostMs, waitMs: LOCAL_POLL_MS });
    try {
        const figures = await runBurst(pipeline, args);
        console.log(`requests answered: ${JSON.stringify(figures.accepted)}; makespan ${figures.makespanMs} ms; ideal ${Math.ceil(args.requests / args.limit) * args.hostMs} ms`);
        const spans = runTaskSpans(pipeline.trace).sort((a, b) => a.start - b.start);
        const mean = spans.reduce((sum, s) => sum + s.end - s.start, 0) / Math.max(spans.length, 1);
        console.log(`tasks: ${spans.length}, mean ${Math.round(mean)} ms each; first started at ${spans[0]?.start ?? "-"} ms, last stopped at ${Math.max(...spans.map((s) => s.end))} ms`);
        console.log(`dead-lettered: ${pipeline.deadLetterQueue.messages().length}`);
        console.log(formatBurstLine(figures));
        const ok = figures.maxRunning <= args.limit && figures.lost === 0 && figures.succeeded === args.requests && figures.makespanRatio <= MAX_RATIO;
        return ok ? 0 : 1;
    } finally {
        await pipeline.stop();
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error) => {
            console.error(error);
            process.exit(1);
        },
    );
}
