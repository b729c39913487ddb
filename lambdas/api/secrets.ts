/**
 * Application secrets from SSM Parameter Store SecureString parameters, cached per container so a
 * warm function does not call SSM on every request, yet picks up a rotated value within the TTL.
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

export type SecretName = "sessionCapability" | "voteEncryptionKey" | "captcha";

export const DEFAULT_SECRET_TTL_MS = 5 * 60 * 1000;

export interface SecretStore {
    get(name: SecretName): Promise<string>;
}

export interface SecretStoreOptions {
    ssm: SSMClient;
    parameterNames: Readonly<Record<SecretName, string>>;
    ttlMs?: number;
    now?: () => number;
}

export function createSecretStore(options: SecretStoreOptions): SecretStore {
    const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
    const now = options.now ?? Date.now;
    // The promise is cached, so concurrent first requests share one GetParameter call.
    const cache = new Map<SecretName, { value: Promise<string>; fetchedAt: number }>();

    const fetch = async (name: SecretName): Promise<string> => {
        const parameterName = options.parameterNames[name];
        const { Parameter } = await options.ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
        // A String parameter would mean the secret sits in plain text at rest: refuse to use it.
        if (Parameter?.Type !== "SecureString") {
            throw new Error(`SSM parameter ${parameterName} must be a SecureString`);
        }
        if (Parameter.Value === undefined || Parameter.Value === "") {
            throw new Error(`SSM parameter ${parameterName} is empty`);
        }
        return Parameter.Value;
    };

    return {
        get(name) {
            const cached = cache.get(name);
            if (cached !== undefined && now() - cached.fetchedAt < ttlMs) {
                return cached.value;
            }
            const value = fetch(name);
            const entry = { value, fetchedAt: now() };
            cache.set(name, entry);
            // A failure must not be cached for the whole TTL: the next request tries again.
            value.catch(() => {
                if (cache.get(name) === entry) {
                    cache.delete(name);
                }
            });
            return value;
        },
    };
}
