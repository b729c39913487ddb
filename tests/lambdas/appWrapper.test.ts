/**
 * The secrets wrapper of the application's builds: the exact bundle the stack deploys, run in a child
 * Node process against a local SSM endpoint, loads the stack's SecureString parameters into the
 * environment before the application's module is loaded; plus its parsers, table-driven.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { bundleHandler } from "../../components/lambdaCode";
import { APP_WRAPPER_ENTRY } from "../../components/applicationCode";
import { applyProverImageRecord, createWrappedHandler, parseHandlerSpec, parseSecretParameters } from "../../lambdas/app-wrapper";
import { formatProverImageRecord } from "../../lambdas/shared/proverImageRecord";
import { localSsm, type SsmCall } from "../../local/ssm";
import { LocalSsmServer, startLocalSsm } from "../../local/ssmServer";

const run = promisify(execFile);

const IMAGE_PARAMETER = "/stark-ballot-simulator/develop/prover-image";
const UNVERIFIED_IMAGE_PARAMETER = "/stark-ballot-simulator/main/prover-image";
const IMAGE_ID = "5a".repeat(32);
/** The record as ProverImageRecord writes it. */
const record = (zkvmImageId: string | null) =>
    formatProverImageRecord({
        repository: "stark-ballot-simulator-prover-develop",
        digest: `sha256:${"ab".repeat(32)}`,
        imageUri: `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/stark-ballot-simulator-prover-develop@sha256:${"ab".repeat(32)}`,
        zkvmImageId,
    });

const PARAMETERS = {
    SESSION_CAPABILITY_SECRET: "/stark-ballot-simulator/develop/session-capability-secret",
    VOTE_SECRET_ENCRYPTION_KEY: "/stark-ballot-simulator/develop/vote-encryption-key",
    TURNSTILE_SECRET_KEY: "/stark-ballot-simulator/develop/captcha-secret",
};

/**
 * A deployed archive's layout: the bundled wrapper as index.js and an application build under app/,
 * whose module reads its secrets at load time (as the application's store and routes do).
 */
function layout(kind: "cjs" | "esm"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-wrapper-"));
    const wrapper = bundleHandler(APP_WRAPPER_ENTRY).dir;
    for (const file of fs.readdirSync(wrapper)) fs.copyFileSync(path.join(wrapper, file), path.join(dir, file));
    const moduleDir = path.join(dir, "app", "amplify", "functions", "hono-api");
    fs.mkdirSync(moduleDir, { recursive: true });
    const body = `const seenAtLoad = {
  capability: process.env.SESSION_CAPABILITY_SECRET,
  vote: process.env.VOTE_SECRET_ENCRYPTION_KEY,
  captcha: process.env.TURNSTILE_SECRET_KEY,
  imageId: process.env.EXPECTED_IMAGE_ID,
};
globalThis.__appLoads = (globalThis.__appLoads ?? 0) + 1;`;
    if (kind === "cjs") {
        fs.writeFileSync(path.join(moduleDir, "handler.js"), `${body}\nexports.handler = async (event) => ({ seenAtLoad, event, loads: globalThis.__appLoads });\n`);
    } else {
        fs.writeFileSync(path.join(moduleDir, "handler.mjs"), `${body}\nexport const handler = async (event) => ({ seenAtLoad, event, loads: globalThis.__appLoads });\n`);
    }
    return dir;
}

/** Runs the deployed index.js in a fresh Node process, invoking its handler `invocations` times. */
async function invoke(dir: string, env: Record<string, string>, invocations = 1): Promise<{ results: unknown[]; errors: string[] }> {
    const script = `
const { handler } = require(${JSON.stringify(path.join(dir, "index.js"))});
(async () => {
  const results = [], errors = [];
  for (let i = 0; i < ${invocations}; i++) {
    try { results.push(await handler({ n: i }, {})); } catch (e) { errors.push(e.message); }
  }
  process.stdout.write(JSON.stringify({ results, errors }));
})();`;
    const { stdout } = await run(process.execPath, ["-e", script], {
        env: { PATH: process.env.PATH ?? "", AWS_REGION: "ap-northeast-1", AWS_ACCESS_KEY_ID: "AKIALOCAL", AWS_SECRET_ACCESS_KEY: "local", ...env },
    });
    return JSON.parse(stdout);
}

describe("app wrapper (bundled, against a local SSM endpoint)", function () {
    this.timeout(60000);
    let ssm: LocalSsmServer;
    const dirs: string[] = [];
    before(async () => {
        ssm = await startLocalSsm({
            [PARAMETERS.SESSION_CAPABILITY_SECRET]: { type: "SecureString", value: "cap-value-81f2" },
            [PARAMETERS.VOTE_SECRET_ENCRYPTION_KEY]: { type: "SecureString", value: "vote-value-33c9" },
            [PARAMETERS.TURNSTILE_SECRET_KEY]: { type: "SecureString", value: "captcha-value-a07e" },
            "/plain/secret": { type: "String", value: "not-encrypted" },
            [IMAGE_PARAMETER]: { type: "String", value: record(IMAGE_ID) },
            [UNVERIFIED_IMAGE_PARAMETER]: { type: "String", value: record(null) },
        });
    });
    after(async () => {
        await ssm.stop();
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });
    const wrapperEnv = (map: Record<string, string>, handler = "amplify/functions/hono-api/handler.handler") => ({
        AWS_ENDPOINT_URL_SSM: ssm.endpoint,
        APP_HANDLER: handler,
        APP_SECRET_PARAMETER_MAP: JSON.stringify(map),
    });

    for (const kind of ["cjs", "esm"] as const) {
        it(`a ${kind} build sees its decrypted secrets already at module load; SSM is read once per cold start`, async () => {
            const dir = layout(kind);
            dirs.push(dir);
            const before = ssm.requests.length;
            const { results, errors } = await invoke(dir, wrapperEnv(PARAMETERS), 2);
            assert.deepEqual(errors, []);
            assert.deepEqual(results, [
                { seenAtLoad: { capability: "cap-value-81f2", vote: "vote-value-33c9", captcha: "captcha-value-a07e" }, event: { n: 0 }, loads: 1 },
                { seenAtLoad: { capability: "cap-value-81f2", vote: "vote-value-33c9", captcha: "captcha-value-a07e" }, event: { n: 1 }, loads: 1 },
            ]);
            assert.deepEqual(
                ssm.requests.slice(before).map((r) => r.name).sort(),
                Object.values(PARAMETERS).sort(),
            );
            assert.ok(ssm.requests.slice(before).every((r) => r.withDecryption), "every read asks for decryption");
        });
    }

    it("the api build sees EXPECTED_IMAGE_ID (0x + the record's id) already at module load, read from the prover image record without decryption", async () => {
        const dir = layout("cjs");
        dirs.push(dir);
        const before = ssm.requests.length;
        const { results, errors } = await invoke(dir, { ...wrapperEnv(PARAMETERS), APP_PROVER_IMAGE_PARAMETER: IMAGE_PARAMETER }, 2);
        assert.deepEqual(errors, []);
        const seenAtLoad = { capability: "cap-value-81f2", vote: "vote-value-33c9", captcha: "captcha-value-a07e", imageId: `0x${IMAGE_ID}` };
        assert.deepEqual(results, [
            { seenAtLoad, event: { n: 0 }, loads: 1 },
            { seenAtLoad, event: { n: 1 }, loads: 1 },
        ]);
        // Within the cache's TTL the second invocation reads nothing.
        assert.deepEqual(
            ssm.requests.slice(before).filter((r) => r.name === IMAGE_PARAMETER),
            [{ name: IMAGE_PARAMETER, withDecryption: false }],
        );
    });

    it("a record without an image id (the stack verifies nothing) leaves EXPECTED_IMAGE_ID unset, even if the environment had one", async () => {
        const dir = layout("cjs");
        dirs.push(dir);
        const { results, errors } = await invoke(dir, { ...wrapperEnv({}), APP_PROVER_IMAGE_PARAMETER: UNVERIFIED_IMAGE_PARAMETER, EXPECTED_IMAGE_ID: `0x${"00".repeat(32)}` });
        assert.deepEqual(errors, []);
        assert.deepEqual(results, [{ seenAtLoad: {}, event: { n: 0 }, loads: 1 }]);
    });

    it("a missing prover image record fails the start before the application loads", async () => {
        const dir = layout("cjs");
        dirs.push(dir);
        const { results, errors } = await invoke(dir, { ...wrapperEnv({}), APP_PROVER_IMAGE_PARAMETER: "/stark-ballot-simulator/develop/no-record" });
        assert.deepEqual(results, []);
        assert.match(errors[0], /Parameter \/stark-ballot-simulator\/develop\/no-record not found/);
    });

    it("without parameters (dispatch, finalize) the build loads with nothing read from SSM", async () => {
        const dir = layout("cjs");
        dirs.push(dir);
        const before = ssm.requests.length;
        const { results, errors } = await invoke(dir, wrapperEnv({}));
        assert.deepEqual(errors, []);
        assert.deepEqual(results, [{ seenAtLoad: {}, event: { n: 0 }, loads: 1 }]);
        assert.equal(ssm.requests.length, before);
    });

    it("a missing parameter fails the invocation before the application loads, and the next invocation tries again", async () => {
        const dir = layout("cjs");
        dirs.push(dir);
        const { results, errors } = await invoke(dir, wrapperEnv({ ...PARAMETERS, TURNSTILE_SECRET_KEY: "/stark-ballot-simulator/develop/missing" }), 2);
        assert.deepEqual(results, []);
        assert.equal(errors.length, 2);
        const asked = ssm.requests.filter((r) => r.name === "/stark-ballot-simulator/develop/missing").length;
        assert.equal(asked, 2, "not cached: the second invocation asked SSM again");
        assert.match(errors[0], /Parameter \/stark-ballot-simulator\/develop\/missing not found/);
    });

    it("a String (unencrypted) parameter is refused", async () => {
        const dir = layout("cjs");
        dirs.push(dir);
        const { errors } = await invoke(dir, wrapperEnv({ SESSION_CAPABILITY_SECRET: "/plain/secret" }));
        assert.deepEqual(errors, ["SSM parameter /plain/secret (for SESSION_CAPABILITY_SECRET) must be a SecureString"]);
    });

    it("a handler module that is not in the build, or an export that is not a function, fails with its name", async () => {
        const dir = layout("cjs");
        dirs.push(dir);
        const missing = await invoke(dir, wrapperEnv({}, "amplify/functions/other/handler.handler"));
        assert.match(missing.errors[0], /^handler module amplify\/functions\/other\/handler \(\.js, \.mjs, \.cjs\) not found in /);
        const notFunction = await invoke(dir, wrapperEnv({}, "amplify/functions/hono-api/handler.nothing"));
        assert.deepEqual(notFunction.errors, ["handler module amplify/functions/hono-api/handler does not export a function nothing"]);
    });
});

describe("app wrapper: the image record in a warm container (in process, SSM stand-in, fake clock)", () => {
    const appRoot = fs.mkdtempSync(path.join(os.tmpdir(), "app-wrapper-warm-"));
    fs.writeFileSync(path.join(appRoot, "index.js"), "exports.handler = async (event) => event;\n");
    after(() => fs.rmSync(appRoot, { recursive: true, force: true }));

    it("re-reads the record once the TTL has passed; a failed re-read keeps the value it has and warns", async () => {
        const parameters = { [IMAGE_PARAMETER]: { type: "String", value: record(IMAGE_ID) } };
        const calls: SsmCall[] = [];
        let fault: "ThrottlingException" | undefined;
        const ssm = localSsm(parameters, { calls, fault: () => fault });
        let clock = 0;
        const warnings: unknown[] = [];
        const env: NodeJS.ProcessEnv = { APP_HANDLER: "index.handler", APP_PROVER_IMAGE_PARAMETER: IMAGE_PARAMETER };
        const handler = createWrappedHandler({ appRoot, ssm: () => ssm, env, imageRecordTtlMs: 1000, now: () => clock, warn: (message, fields) => warnings.push({ message, ...fields }) });

        assert.deepEqual(await handler({ n: 1 }, {}), { n: 1 });
        assert.equal(env.EXPECTED_IMAGE_ID, `0x${IMAGE_ID}`);
        clock = 999;
        await handler({ n: 2 }, {});
        assert.equal(calls.length, 1);

        // A deploy records another image id: a warm container takes it after the TTL.
        const next = "c3".repeat(32);
        parameters[IMAGE_PARAMETER].value = record(next);
        clock = 1000;
        await handler({ n: 3 }, {});
        assert.equal(env.EXPECTED_IMAGE_ID, `0x${next}`);

        fault = "ThrottlingException";
        clock = 2000;
        assert.deepEqual(await handler({ n: 4 }, {}), { n: 4 });
        assert.equal(env.EXPECTED_IMAGE_ID, `0x${next}`);
        assert.deepEqual(calls.map((c) => c.outcome), ["ok", "ok", "ThrottlingException"]);
        assert.equal(warnings.length, 1);
        assert.deepEqual(Object.keys(warnings[0] as object), ["message", "parameter", "error"]);
        assert.equal((warnings[0] as { message: string }).message, "prover image record unreadable; EXPECTED_IMAGE_ID unchanged");

        // Not cached: the next invocation reads again.
        fault = undefined;
        await handler({ n: 5 }, {});
        assert.deepEqual(calls.map((c) => c.outcome), ["ok", "ok", "ThrottlingException", "ok"]);
    });

    it("EXPECTED_IMAGE_ID is 0x + the id, or removed when the record holds none", () => {
        const env: NodeJS.ProcessEnv = {};
        applyProverImageRecord({ zkvmImageId: IMAGE_ID }, env);
        assert.deepEqual(env, { EXPECTED_IMAGE_ID: `0x${IMAGE_ID}` });
        applyProverImageRecord({ zkvmImageId: null }, env);
        assert.deepEqual(env, {});
    });
});

describe("app wrapper parsers (pure)", () => {
    const specs: Array<[string, { modulePath: string; exportName: string } | RegExp]> = [
        ["index.handler", { modulePath: "index", exportName: "handler" }],
        ["amplify/functions/hono-api/handler.handler", { modulePath: "amplify/functions/hono-api/handler", exportName: "handler" }],
        ["dist/v1.2/main.run", { modulePath: "dist/v1.2/main", exportName: "run" }],
        ["handler", /must be <module path>.<export>/],
        ["../outside.handler", /must be <module path>.<export>/],
        ["a/../../b.handler", /must be <module path>.<export>/],
        ["/abs/index.handler", /must be <module path>.<export>/],
        ["index.", /must be <module path>.<export>/],
    ];
    for (const [spec, expected] of specs) {
        it(`APP_HANDLER ${JSON.stringify(spec)}`, () => {
            if (expected instanceof RegExp) assert.throws(() => parseHandlerSpec(spec), expected);
            else assert.deepEqual(parseHandlerSpec(spec), expected);
        });
    }

    it("APP_SECRET_PARAMETER_MAP: absent or empty is no secrets; anything but a map of strings is refused", () => {
        assert.deepEqual(parseSecretParameters(undefined), {});
        assert.deepEqual(parseSecretParameters(""), {});
        assert.deepEqual(parseSecretParameters('{"A":"/p/a"}'), { A: "/p/a" });
        assert.throws(() => parseSecretParameters('["/p/a"]'), /must be a JSON object/);
        assert.throws(() => parseSecretParameters('{"A":1}'), /must be a JSON object/);
    });
});
