/**
 * A value read from a slow or rate-limited source (SSM), cached per container: a warm function does
 * not call the source on every request, yet picks up a changed value within the TTL.
 */

export const DEFAULT_TTL_MS = 5 * 60 * 1000;

export interface TtlCacheOptions {
    ttlMs?: number;
    now?: () => number;
}

/**
 * `load` once per TTL. The promise is cached, so concurrent first callers share one read; a failure
 * is not cached for the whole TTL: the next caller tries again.
 */
export function ttlCached<T>(load: () => Promise<T>, options: TtlCacheOptions = {}): () => Promise<T> {
    const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    const now = options.now ?? Date.now;
    let cached: { value: Promise<T>; fetchedAt: number } | undefined;
    return () => {
        if (cached !== undefined && now() - cached.fetchedAt < ttlMs) return cached.value;
        const entry = { value: load(), fetchedAt: now() };
        cached = entry;
        entry.value.catch(() => {
            if (cached === entry) cached = undefined;
        });
        return entry.value;
    };
}
