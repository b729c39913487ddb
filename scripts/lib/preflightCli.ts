/**
 * The `npm run preflight -- <stack>` command around the checks in preflight.ts: reads the stack file
 * as the CLI would (Pulumi.yaml defaults, program validation), builds the SDK clients from the
 * default credential chain, prints each check. Exit codes: 0 every check passed (warnings allowed),
 * 1 a check failed, no credentials, or an invalid stack file; 64 usage.
 */
import { ECRClient } from "@aws-sdk/client-ecr";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { SignerClient } from "@aws-sdk/client-signer";
import { STSClient } from "@aws-sdk/client-sts";
import { PROJECT_NAME } from "../../builders/names";
import { OPTIONAL_SECRET_CONFIG_KEYS, RawStackConfig, SECRET_CONFIG_KEYS, StackSettings, parseStackConfig } from "../../stacks/config";
import { EXIT_USAGE, integerOption, parseCommandLine } from "./cli";
import { applyProjectConfig, readProjectFile } from "./projectConfig";
import { NoCredentialsError, PreflightClients, formatResults, runPreflight } from "./preflight";
import { PROJECT_ROOT, readStackFile } from "./synthesize";

export const USAGE = "usage: npm run preflight -- <stack> [--config-dir <dir holding Pulumi.<stack>.yaml>] [--max-concurrent-proofs <n>]";

function decode(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** The stack's validated settings from its file, and which secrets it holds encrypted. */
export function stackSettingsFromFile(stack: string, dir?: string): { settings: StackSettings; secretsPresent: string[] } {
    const values = applyProjectConfig(stack, readProjectFile(PROJECT_ROOT), readStackFile(stack, dir));
    const raw: RawStackConfig = { stack, project: {}, aws: {}, secretsPresent: [] };
    const secretsPresent: string[] = [];
    for (const [key, value] of Object.entries(values.config)) {
        const [namespace, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
        if (namespace === PROJECT_NAME) {
            const secretName = (SECRET_CONFIG_KEYS as readonly string[]).includes(name) || (OPTIONAL_SECRET_CONFIG_KEYS as readonly string[]).includes(name);
            if (secretName && values.secretKeys.includes(key)) secretsPresent.push(name);
            else raw.project[name] = decode(value);
        } else if (namespace === "aws") {
            raw.aws[name] = decode(value);
        }
    }
    // Missing secrets are one of preflight's own checks (with its instruction), not a reason to stop here.
    // The hosting token is passed through as the file holds it: its rules (required with hosting) stay the parser's.
    const optionalPresent = secretsPresent.filter((k) => (OPTIONAL_SECRET_CONFIG_KEYS as readonly string[]).includes(k));
    return { settings: parseStackConfig({ ...raw, secretsPresent: [...SECRET_CONFIG_KEYS, ...optionalPresent] }), secretsPresent };
}

interface ParsedArgs {
    stack: string;
    dir?: string;
    /** Undefined: the stack's own maxConcurrentProofs. */
    maxConcurrentProofs?: number;
}

function parsePreflightArgs(args: readonly string[]): ParsedArgs | string {
    const parsed = parseCommandLine(args, {
        usage: USAGE,
        options: { "config-dir": { type: "string" }, "max-concurrent-proofs": { type: "string" } },
        positionals: { min: 1, max: 1 },
    });
    if (!parsed.ok) return parsed.message;
    const problems: string[] = [];
    // The stack key's own bound (stacks/config.ts parseAdmission).
    const maxConcurrentProofs = integerOption(parsed.values["max-concurrent-proofs"], "--max-concurrent-proofs", 1, 20, problems);
    if (problems.length > 0) return `${problems.join("\n")}\n${USAGE}`;
    return { stack: parsed.positionals[0], dir: parsed.values["config-dir"], maxConcurrentProofs };
}

/** Clients on the default credential chain, in the credentials' region (or the stack's, which the region check then flags). */
export async function defaultClients(fallbackRegion: string): Promise<{ clients: PreflightClients; clientRegion: string | undefined }> {
    let clientRegion: string | undefined;
    try {
        clientRegion = await new STSClient({}).config.region();
    } catch {
        clientRegion = undefined;
    }
    const region = clientRegion ?? fallbackRegion;
    return {
        clientRegion,
        clients: {
            sts: new STSClient({ region }),
            lambda: new LambdaClient({ region }),
            quotas: new ServiceQuotasClient({ region }),
            ecr: new ECRClient({ region }),
            signer: (signerRegion) => new SignerClient({ region: signerRegion }),
        },
    };
}

export async function preflightCli(
    args: readonly string[],
    makeClients: (fallbackRegion: string) => Promise<{ clients: PreflightClients; clientRegion: string | undefined }> = defaultClients,
): Promise<{ code: number; out: string; err: string }> {
    const parsed = parsePreflightArgs(args);
    if (typeof parsed === "string") return { code: EXIT_USAGE, out: "", err: parsed };
    let stackFile: ReturnType<typeof stackSettingsFromFile>;
    try {
        stackFile = stackSettingsFromFile(parsed.stack, parsed.dir);
    } catch (e) {
        return { code: 1, out: "", err: (e as Error).message };
    }
    const { clients, clientRegion } = await makeClients(stackFile.settings.region);
    try {
        const results = await runPreflight({ ...stackFile, clientRegion, maxConcurrentProofs: parsed.maxConcurrentProofs }, clients);
        return { code: results.some((r) => r.status === "fail") ? 1 : 0, out: formatResults(parsed.stack, results), err: "" };
    } catch (e) {
        if (e instanceof NoCredentialsError) return { code: 1, out: "", err: e.message };
        throw e;
    }
}
