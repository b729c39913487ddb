/**
 * A burst of proof requests through the local pipeline (local/pipeline.ts), for `npm run bench:burst`
 * and the e2e suite: N sessions ask for a proof at once, the fake host takes a fixed time, and the
 * figures say whether admission control held: the most prover tasks running at once (from ECS's
 * RunTask spans in the trace), how many sessions succeeded, failed, or were lost (neither: still
 * pending or running once everything settled, or their work in the dead-letter queue).
 */
import { SAMPLE_INPUT } from "./fakeHost";
import { postJson } from "./httpApi";
import type { LocalPipeline, TraceEntry } from "./pipeline";

export interface BurstFigures {
    requests: number;
    limit: number;
    maxRunning: number;
    succeeded: number;
    failed: number;
    lost: number;
    /** First request to the last execution's end, in ms. */
    makespanMs: number;
    /** makespan / (ceil(requests / limit) × hostMs). */
    makespanRatio: number;
    /** HTTP statuses of the proof requests, by status. */
    accepted: Record<number, number>;
}

/** The most intervals open at one instant; an interval ending when another starts does not overlap it. */
export function maxOverlap(spans: readonly { start: number; end: number }[]): number {
    const edges = spans.flatMap((s) => [
        { at: s.start, delta: 1 },
        { at: s.end, delta: -1 },
    ]);
    // Ends before starts at the same instant.
    edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let open = 0;
    let max = 0;
    for (const edge of edges) {
        open += edge.delta;
        max = Math.max(max, open);
    }
    return max;
}

/** The RunTask spans (task started → task stopped) of the trace. */
export function runTaskSpans(trace: readonly TraceEntry[]): { start: number; end: number }[] {
    return trace.filter((t) => t.actor === "ecs" && t.step.startsWith("RunTask")).map((t) => ({ start: t.atMs, end: t.atMs + t.durationMs }));
}

export function formatBurstLine(f: BurstFigures): string {
    return `burst: ${f.requests} requests, limit ${f.limit}, max running ${f.maxRunning}, succeeded ${f.succeeded}, failed ${f.failed}, lost ${f.lost}, makespan ratio ${f.makespanRatio.toFixed(2)}`;
}

export async function runBurst(pipeline: LocalPipeline, options: { requests: number; limit: number; hostMs: number }): Promise<BurstFigures> {
    const started = Date.now();
    const sessionIds = Array.from({ length: options.requests }, (_, i) => `burst-${started}-${i}`);
    // One source address each: the per-IP limit is not what is measured here.
    const responses = await Promise.all(
        sessionIds.map((sessionId, i) => pipeline.request(postJson("/api/finalize", { sessionId, input: SAMPLE_INPUT }, {}, `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`))),
    );
    const accepted: Record<number, number> = {};
    for (const r of responses) accepted[r.status] = (accepted[r.status] ?? 0) + 1;
    await pipeline.deliverWork();
    await pipeline.settled();
    const ended = Date.now();

    let succeeded = 0;
    let failed = 0;
    for (const sessionId of sessionIds) {
        const status = (await pipeline.session(sessionId))?.status;
        if (status === "succeeded") succeeded += 1;
        else if (status === "failed") failed += 1;
    }
    const lost = options.requests - succeeded - failed;
    const ideal = Math.ceil(options.requests / options.limit) * options.hostMs;
    return {
        requests: options.requests,
        limit: options.limit,
        maxRunning: maxOverlap(runTaskSpans(pipeline.trace)),
        succeeded,
        failed,
        lost,
        makespanMs: ended - started,
        makespanRatio: (ended - started) / ideal,
        accepted,
    };
}
