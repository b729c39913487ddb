/**
 * The zkVM image id proofs of this stack must carry, read from the stack's prover image record (SSM
 * parameter `PROVER_IMAGE_PARAMETER`, lambdas/shared/proverImageRecord.ts): the one place the
 * verifier-service-runner reads it from too, so the api never tells a client a different id than the
 * one its proof is checked against. Cached per container like the secrets (a deploy that pins
 * another image or image id is picked up within the TTL); a failed read is not cached.
 */
import type { SSMClient } from "@aws-sdk/client-ssm";
import { readProverImageRecord } from "../shared/proverImageRecord";
import { DEFAULT_TTL_MS, ttlCached } from "../shared/ttlCache";

/** The expected image id (64 lower-case hex), or null when the stack verifies nothing. */
export type ExpectedImageIdSource = () => Promise<string | null>;

export function createExpectedImageIdSource(options: { ssm: SSMClient; parameterName: string; ttlMs?: number; now?: () => number }): ExpectedImageIdSource {
    return ttlCached(async () => (await readProverImageRecord(options.ssm, options.parameterName)).zkvmImageId, {
        ttlMs: options.ttlMs ?? DEFAULT_TTL_MS,
        now: options.now,
    });
}
