/**
 * Runs one of the application's own Lambda builds (its `hono-api`, `prover-dispatch-proxy` or
 * `finalize-callback-runner`) on this stack, with its secrets delivered without plaintext anywhere in
 * the Pulumi state or the function's configuration.
 *
 * The application reads its secrets (session capability secret, vote encryption key, captcha secret)
 * from environment variables, some at module load. The function's configuration therefore carries
 * only the *names* of the stack's SSM SecureString parameters (`APP_SECRET_PARAMETER_MAP`, a JSON map
 * from variable to parameter name); on a cold start this wrapper reads them with decryption, sets the
 * variables, and only then imports the application's handler module (`APP_HANDLER`, Lambda's
 * `<module path>.<export>` form, relative to the build's directory `app/` next to this file).
 *
 * The api build also gets the zkVM image id proofs must carry from the stack's prover image record
 * (`APP_PROVER_IMAGE_PARAMETER`, the SSM parameter the verifier reads it from too): `EXPECTED_IMAGE_ID`
 * is set before the application loads and re-read once the cache's TTL has passed (the application
 * reads the variable per request, in its src/lib/verification/expected-image-id.ts), so a deploy that
 * pins another image id reaches warm containers too, and no function configuration carries a copy.
 *
 * Never imports `@pulumi/*`: bundled by the program like every handler.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { type ProverImageRecord, readProverImageRecord } from "../shared/proverImageRecord";
import { DEFAULT_TTL_MS, ttlCached } from "../shared/ttlCache";
import { APP_HANDLER, APP_PROVER_IMAGE_PARAMETER, APP_SECRET_PARAMETER_MAP, EXPECTED_IMAGE_ID } from "./variables";

export type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export interface HandlerSpec {
    /** Module path relative to the build's root, without extension, e.g. `amplify/functions/hono-api/handler`. */
    modulePath: string;
    /** Exported function name, e.g. `handler`. */
    exportName: string;
}

/** The extensions Lambda's Node.js runtime tries for a handler module, in its order. */
const MODULE_EXTENSIONS = [".js", ".mjs", ".cjs"];

/**
 * `dir/file.export` -> module `dir/file`, export `export` (Lambda's handler syntax). Refuses paths
 * that leave the build directory.
 */
export function parseHandlerSpec(spec: string): HandlerSpec {
    const match = /^((?:[A-Za-z0-9_@-][A-Za-z0-9_.@-]*\/)*[A-Za-z0-9_@-][A-Za-z0-9_@-]*)\.([A-Za-z_$][A-Za-z0-9_$]*)$/.exec(spec);
    if (!match || match[1].split("/").some((segment) => segment === "." || segment === "..")) {
        throw new Error(`APP_HANDLER "${spec}" must be <module path>.<export> inside the build, e.g. index.handler`);
    }
    return { modulePath: match[1], exportName: match[2] };
}

/** `APP_SECRET_PARAMETER_MAP`: `{"SESSION_CAPABILITY_SECRET": "/stark-ballot-simulator/develop/..."}`. */
export function parseSecretParameters(raw: string | undefined): Record<string, string> {
    if (raw === undefined || raw === "") return {};
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) {
        throw new Error("APP_SECRET_PARAMETER_MAP must be a JSON object from variable name to SSM parameter name");
    }
    return parsed as Record<string, string>;
}

/**
 * Reads every parameter with decryption and sets its variable. Only SecureString parameters are
 * accepted: a String parameter would mean the secret is stored in plain text.
 */
export async function loadSecrets(ssm: SSMClient, parameters: Record<string, string>, env: NodeJS.ProcessEnv): Promise<void> {
    const values = await Promise.all(
        Object.entries(parameters).map(async ([variable, name]) => {
            const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
            if (Parameter?.Type !== "SecureString") throw new Error(`SSM parameter ${name} (for ${variable}) must be a SecureString`);
            if (Parameter.Value === undefined || Parameter.Value === "") throw new Error(`SSM parameter ${name} (for ${variable}) is empty`);
            return [variable, Parameter.Value] as const;
        }),
    );
    // All or nothing: the application never starts with half of its secrets.
    for (const [variable, value] of values) env[variable] = value;
}

/**
 * `EXPECTED_IMAGE_ID` as the application reads it: `0x` + 64 lower-case hex (its DEFAULT_POC_IMAGE_ID
 * and `hexStringSchema`; its synchronous finalize compares the receipt's `0x` id as a plain string).
 * Removed when the record holds none (the stack verifies nothing): the application then falls back
 * to its own public/imageId-mapping.json instead of to a stale value.
 */
export function applyProverImageRecord(record: Pick<ProverImageRecord, "zkvmImageId">, env: NodeJS.ProcessEnv): void {
    if (record.zkvmImageId === null) delete env[EXPECTED_IMAGE_ID];
    else env[EXPECTED_IMAGE_ID] = `0x${record.zkvmImageId}`;
}

/** The module file of a handler spec inside the build directory. */
export function resolveHandlerModule(appRoot: string, spec: HandlerSpec): string {
    for (const extension of MODULE_EXTENSIONS) {
        const file = path.join(appRoot, `${spec.modulePath}${extension}`);
        if (fs.existsSync(file)) return file;
    }
    throw new Error(`handler module ${spec.modulePath} (${MODULE_EXTENSIONS.join(", ")}) not found in ${appRoot}`);
}

// TypeScript compiles `import()` to `require()` under CommonJS; an ES module build (.mjs, or "type":
// "module") needs a real dynamic import, which a Function body keeps.
const dynamicImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<Record<string, unknown>>;

export interface WrapperOptions {
    /** Directory of the application's build. */
    appRoot: string;
    ssm: () => SSMClient;
    env: NodeJS.ProcessEnv;
    /** How long a read of the prover image record is reused. Default: 5 minutes (as the api's secrets). */
    imageRecordTtlMs?: number;
    /** Default: Date.now. */
    now?: () => number;
    /** Where a failed re-read of the image record is reported. Default: a JSON line on stderr. */
    warn?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * The wrapping handler. The first invocation loads the secrets and then the application's module;
 * later ones reuse it. A failed start is not cached: the next invocation tries again.
 */
export function createWrappedHandler(options: WrapperOptions): Handler {
    let ready: Promise<Handler> | undefined;
    const imageParameter = options.env[APP_PROVER_IMAGE_PARAMETER];
    const readImageRecord =
        imageParameter === undefined || imageParameter === ""
            ? undefined
            : ttlCached(() => readProverImageRecord(options.ssm(), imageParameter), { ttlMs: options.imageRecordTtlMs ?? DEFAULT_TTL_MS, now: options.now });
    const warn = options.warn ?? ((message, fields) => console.error(JSON.stringify({ level: "WARN", message, ...fields })));
    const start = async (): Promise<Handler> => {
        const spec = parseHandlerSpec(options.env[APP_HANDLER] ?? "");
        // Both before the application loads: it may read either at module load.
        const [, record] = await Promise.all([
            loadSecrets(options.ssm(), parseSecretParameters(options.env[APP_SECRET_PARAMETER_MAP]), options.env),
            readImageRecord?.(),
        ]);
        if (record !== undefined) applyProverImageRecord(record, options.env);
        const loaded = await dynamicImport(pathToFileURL(resolveHandlerModule(options.appRoot, spec)).href);
        // A CommonJS build's exports arrive as `default` (and, when statically analysable, by name).
        const fn = loaded[spec.exportName] ?? (loaded.default as Record<string, unknown> | undefined)?.[spec.exportName];
        if (typeof fn !== "function") throw new Error(`handler module ${spec.modulePath} does not export a function ${spec.exportName}`);
        return fn as Handler;
    };
    /**
     * A warm container re-reads the record once the TTL has passed. If that read fails, the value it
     * has stays (it is at most one deploy old) rather than failing requests over an SSM hiccup.
     */
    const refreshImageRecord = async (): Promise<void> => {
        if (readImageRecord === undefined) return;
        try {
            applyProverImageRecord(await readImageRecord(), options.env);
        } catch (error: unknown) {
            warn("prover image record unreadable; EXPECTED_IMAGE_ID unchanged", { parameter: imageParameter, error: error instanceof Error ? error.message : String(error) });
        }
    };
    return async (event, context) => {
        ready ??= start().catch((error: unknown) => {
            ready = undefined;
            throw error;
        });
        const handler = await ready;
        await refreshImageRecord();
        return handler(event, context);
    };
}

export const handler: Handler = createWrappedHandler({
    appRoot: path.join(__dirname, "app"),
    ssm: () => new SSMClient({}),
    env: process.env,
});
