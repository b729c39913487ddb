import type { Logger } from "./log";
import { errorFields } from "./log";

/**
 * Builds a handler's dependencies on first use and keeps them for the container's lifetime. Lazy so
 * that importing a handler module never throws; a configuration error is logged as one ERROR line
 * and thrown on every invocation, so the function fails visibly instead of half-working.
 */
export function lazyInit<T>(name: string, factory: () => T, logger: Logger): () => T {
    let instance: T | undefined;
    return () => {
        if (instance === undefined) {
            try {
                instance = factory();
            } catch (error) {
                logger.error(`${name} configuration is invalid`, errorFields(error));
                throw error;
            }
        }
        return instance;
    };
}
