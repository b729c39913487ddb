/** Sets process environment variables for the duration of `action`, restoring them afterwards. */
export async function withEnv<T>(vars: Record<string, string | undefined>, action: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
    const apply = (values: Record<string, string | undefined>) => {
        for (const [name, value] of Object.entries(values)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    };
    apply(vars);
    try {
        return await action();
    } finally {
        apply(saved);
    }
}

/** Captures what `process.stdout.write` receives during `action` (the handlers' default log sink). */
export async function captureStdout<T>(action: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; lines: string[] }> {
    const lines: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
        lines.push(...String(chunk).split("\n").filter((line) => line !== ""));
        return true;
    }) as typeof process.stdout.write;
    try {
        return { result: await action(), error: undefined, lines };
    } catch (error) {
        return { result: undefined, error, lines };
    } finally {
        process.stdout.write = original;
    }
}
