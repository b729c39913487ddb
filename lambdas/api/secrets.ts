/**
 * Application secrets from SSM Parameter Store SecureString parameters, cached per container so a
 * warm function does not call SSM on every request, yet picks up a rotated value within the TTL.
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DEFAULT_TTL_MS, ttlCached } from "../shared/ttlCache";

export type SecretName = "sessionCapability" | "voteEncryptionKey" | "captcha";

export const DEFAULT_SECRET_TTL_MS = DEFAULT_TTL_MS;

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
    const cache = new Map<SecretName, () => Promise<string>>();
    return {
        get(name) {
            let read = cache.get(name);
            if (read === undefined) {
                read = ttlCached(() => fetch(name), { ttlMs: options.ttlMs ?? DEFAULT_SECRET_TTL_MS, now: options.now });
                cache.set(name, read);
            }
            return read();
        },
    };
}
