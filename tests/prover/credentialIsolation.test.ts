/**
 * The zkVM host must not obtain the task's AWS credentials (issue 13, §4): not from its own
 * environment, not from the runner's (`/proc/<ppid>/environ`, `/proc/<ppid>/mem`), not from the
 * container credential endpoint. An attacking host tries each way and reports what it got.
 *
 * The runner runs as a real process (main.ts under ts-node) started as root, as on Fargate, with the
 * credentials in its environment the way ECS puts them there: `AWS_CONTAINER_CREDENTIALS_FULL_URI`
 * (the loopback form of the relative URI, the only one a local test may use: traffic never leaves
 * 127.0.0.1) plus an authorization token, and static keys. The credential endpoint is a local HTTP
 * server answering as ECS's does.
 *
 * What this proves locally, and what it does not, is in prover/README.md "Credential isolation":
 * the kernel's rule (another uid cannot read a process's environ or mem) is the same on Fargate; that
 * Fargate gives the root runner CAP_SETUID/CAP_SETGID/CAP_KILL/CAP_CHOWN is AWS's documented Docker
 * default, checked here only as far as the task definition keeps them (tests/components).
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { isRunning, parseSleepingPids, SAMPLE_INPUT, SUCCESS_OBJECT_NAMES } from "../../local/fakeHost";
import { RUNNER_KEPT_CAPABILITIES } from "../../builders/proverTask";
import { PROVER_HOST_USER } from "../../lambdas/shared/contracts";
import { EXIT_CODES } from "../../prover/runner/exitCodes";
import { assertHostIsolationPossible, hostEnvironment } from "../../prover/runner/host";
import { RunnerFailure } from "../../prover/runner/failure";
import { REPOSITORY_ROOT, runNode } from "./support/childProcess";
import { createWorkspace, errorLines, listKeys, LogLine, OUTPUT_PREFIX, runnerEnv, useProverFixture, Workspace } from "./support/harness";

const MAIN = ["-r", "ts-node/register/transpile-only", "prover/runner/main.ts"];
const SETPRIV = "/usr/bin/setpriv";

/** Runs a command from the repository root with exactly `env` (plus PATH), parsing stdout as log lines. */
function runCommand(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; lines: LogLine[]; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: REPOSITORY_ROOT, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
        child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
        child.once("error", reject);
        child.once("close", (code) => resolve({ code, lines: stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as LogLine), stderr }));
    });
}
const [HOST_UID, HOST_GID] = PROVER_HOST_USER.split(":").map(Number);
const REPORT_PREFIX = "ATTACK-REPORT ";

/** The secrets the runner holds; none may appear in anything the host reports. */
const SECRET = {
    accessKeyId: "AKIASTATICKEY0000001",
    secretAccessKey: `static-secret-${randomUUID()}`,
    sessionToken: `static-session-${randomUUID()}`,
    authorizationToken: `container-auth-${randomUUID()}`,
    servedSecretAccessKey: `served-secret-${randomUUID()}`,
    credentialsPath: `/v2/credentials/${randomUUID()}`,
};

/**
 * The attacker: looks for credentials in its environment, in every readable /proc/<pid>/environ
 * (its parent's first), opens its parent's memory, and calls every credential URI it found with
 * every token it found. Prints one report line and exits 1 (it writes no proof).
 */
const ATTACKER = String.raw`
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const CREDENTIAL_NAMES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"];
const report = { uid: process.getuid(), gid: process.getgid(), ownEnv: {}, parentEnviron: null, parentMem: null, otherEnvirons: {}, endpoint: [] };
const found = {};
const harvest = (vars, into) => { for (const n of CREDENTIAL_NAMES) if (vars[n] !== undefined) { into[n] = vars[n]; found[n] = vars[n]; } };
const parseEnviron = (buf) => Object.fromEntries(buf.toString("utf8").split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
harvest(process.env, report.ownEnv);
try { const e = {}; harvest(parseEnviron(fs.readFileSync("/proc/" + process.ppid + "/environ")), e); report.parentEnviron = e; }
catch (error) { report.parentEnviron = error.code; }
try { fs.closeSync(fs.openSync("/proc/" + process.ppid + "/mem", "r")); report.parentMem = "opened"; }
catch (error) { report.parentMem = error.code; }
for (const pid of fs.readdirSync("/proc").filter((p) => /^[0-9]+$/.test(p) && Number(p) !== process.pid && Number(p) !== process.ppid)) {
  try { const e = {}; harvest(parseEnviron(fs.readFileSync("/proc/" + pid + "/environ")), e); if (Object.keys(e).length > 0) report.otherEnvirons[pid] = e; } catch {}
}
const uris = [found.AWS_CONTAINER_CREDENTIALS_FULL_URI].filter(Boolean);
const get = (uri) => new Promise((resolve) => {
  const headers = found.AWS_CONTAINER_AUTHORIZATION_TOKEN ? { Authorization: found.AWS_CONTAINER_AUTHORIZATION_TOKEN } : {};
  http.get(uri, { headers }, (res) => { let body = ""; res.on("data", (c) => (body += c)); res.on("end", () => resolve({ uri, status: res.statusCode, body })); })
    .on("error", (error) => resolve({ uri, error: error.code }));
});
(async () => {
  for (const uri of uris) report.endpoint.push(await get(uri));
  process.stdout.write(${JSON.stringify(REPORT_PREFIX)} + JSON.stringify(report) + "\n");
  process.exit(1);
})();
`;

interface AttackReport {
    uid: number;
    gid: number;
    ownEnv: Record<string, string>;
    parentEnviron: Record<string, string> | string;
    parentMem: string;
    otherEnvirons: Record<string, Record<string, string>>;
    endpoint: { uri: string; status?: number; body?: string; error?: string }[];
}

/** The container credential endpoint: answers only its path with the right Authorization header. */
async function startCredentialEndpoint(): Promise<{ uri: string; requests: string[]; serve(keys: { accessKeyId: string; secretAccessKey: string }): void; stop(): Promise<void> }> {
    let served = { accessKeyId: "ASIASERVEDKEY0000001", secretAccessKey: SECRET.servedSecretAccessKey };
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        if (req.url !== SECRET.credentialsPath || req.headers.authorization !== SECRET.authorizationToken) {
            res.writeHead(req.url === SECRET.credentialsPath ? 401 : 404).end();
            return;
        }
        res.writeHead(200, { "Content-Type": "application/json" }).end(
            JSON.stringify({
                AccessKeyId: served.accessKeyId,
                SecretAccessKey: served.secretAccessKey,
                Token: `served-token-${randomUUID()}`,
                Expiration: new Date(Date.now() + 3_600_000).toISOString(),
                RoleArn: "arn:aws:iam::123456789012:role/prover-task",
            }),
        );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        uri: `http://127.0.0.1:${port}${SECRET.credentialsPath}`,
        requests,
        serve: (keys) => (served = keys),
        stop: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

/** A workspace the host's user can reach (mkdtemp makes it 0700), with the attacker as the host. */
function attackerWorkspace(): Workspace {
    const workspace = createWorkspace();
    fs.chmodSync(workspace.root, 0o755);
    const hostBin = path.join(workspace.root, "attacker-host");
    fs.writeFileSync(hostBin, `#!${process.execPath}\n${ATTACKER}`, { mode: 0o755 });
    return { ...workspace, hostBin };
}

function reportOf(lines: readonly LogLine[]): AttackReport {
    const reports = lines.filter((l) => l.msg === "host output" && String(l.line).startsWith(REPORT_PREFIX));
    assert.equal(reports.length, 1, JSON.stringify(lines));
    return JSON.parse(String(reports[0].line).slice(REPORT_PREFIX.length)) as AttackReport;
}

const isRoot = process.getuid?.() === 0;

describe("prover runner: the zkVM host cannot obtain the task's AWS credentials", function () {
    this.timeout(60_000);
    let endpoint: Awaited<ReturnType<typeof startCredentialEndpoint>>;
    let workspace: Workspace;
    const credentialEnv = (): Record<string, string> => ({
        AWS_ACCESS_KEY_ID: SECRET.accessKeyId,
        AWS_SECRET_ACCESS_KEY: SECRET.secretAccessKey,
        AWS_SESSION_TOKEN: SECRET.sessionToken,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.uri,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: SECRET.authorizationToken,
    });
    const attack = (extra: Record<string, string>) => {
        const input = path.join(workspace.root, "input.json");
        fs.writeFileSync(input, JSON.stringify(SAMPLE_INPUT), { mode: 0o644 });
        return runNode(MAIN, { ...credentialEnv(), INPUT_PATH: input, SCRATCH_DIR: workspace.scratchDir, HOST_BIN: workspace.hostBin, ...extra });
    };

    before(function () {
        // Starting the host as another user needs root, as in the task; a non-root CI runner cannot
        // show it (the unit tests below still run there).
        if (!isRoot) this.skip();
    });
    beforeEach(async () => {
        endpoint = await startCredentialEndpoint();
        workspace = attackerWorkspace();
    });
    afterEach(async () => {
        workspace.cleanup();
        await endpoint.stop();
    });

    it("control: run as the runner's own user, the same host reads the runner's environ and gets the role's keys from the endpoint", async () => {
        const result = await attack({});
        const report = reportOf(result.lines);
        assert.equal(report.uid, 0);
        assert.deepEqual(report.ownEnv, {}, "even today the host's own environment is scrubbed");
        assert.equal(typeof report.parentEnviron, "object");
        assert.equal((report.parentEnviron as Record<string, string>).AWS_SECRET_ACCESS_KEY, SECRET.secretAccessKey);
        assert.equal(report.endpoint.length, 1);
        assert.equal(report.endpoint[0].status, 200);
        assert.match(report.endpoint[0].body ?? "", new RegExp(SECRET.servedSecretAccessKey));
    });

    it(`with ZKVM_HOST_USER=${PROVER_HOST_USER}: no credential in its environment, the runner's environ and mem refused, no URI to call`, async () => {
        const result = await attack({ ZKVM_HOST_USER: PROVER_HOST_USER });
        const report = reportOf(result.lines);
        assert.deepEqual([report.uid, report.gid], [HOST_UID, HOST_GID]);
        assert.deepEqual(report.ownEnv, {});
        assert.equal(report.parentEnviron, "EACCES");
        assert.ok(["EACCES", "EPERM"].includes(report.parentMem), report.parentMem);
        assert.deepEqual(report.otherEnvirons, {});
        assert.deepEqual(report.endpoint, []);
        assert.deepEqual(endpoint.requests, [], "the credential endpoint was never called");
        const text = JSON.stringify(report);
        for (const secret of Object.values(SECRET)) assert.ok(!text.includes(secret), `the host saw ${secret}`);
        // The host wrote no proof: the run fails as any failed host does, after the host ran.
        assert.equal(result.code, EXIT_CODES.HOST_FAILED);
    });

    describe("a full proof with the host isolated", () => {
        const fixture = useProverFixture(JSON.stringify(SAMPLE_INPUT));

        it("the runner takes the role's keys from the endpoint itself and publishes; the host (another uid) still proves", async () => {
            fs.chmodSync(fixture.workspace.root, 0o755);
            // s3rver knows one key pair: the endpoint serves it, and the runner holds no static keys.
            const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, ...s3Env } = fixture.s3.env;
            endpoint.serve({ accessKeyId, secretAccessKey });
            const result = await runNode(MAIN, {
                ...s3Env,
                AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.uri,
                AWS_CONTAINER_AUTHORIZATION_TOKEN: SECRET.authorizationToken,
                ...runnerEnv(fixture.workspace, { ZKVM_HOST_USER: PROVER_HOST_USER }),
            });
            assert.equal(result.code, EXIT_CODES.SUCCESS, result.stderr + JSON.stringify(errorLines(result.lines)));
            // One fetch: the SDK keeps the keys until their Expiration, an hour away.
            assert.deepEqual(endpoint.requests, [`GET ${SECRET.credentialsPath}`]);
            assert.deepEqual(
                await listKeys(fixture.s3.client, `${OUTPUT_PREFIX}/`),
                [...SUCCESS_OBJECT_NAMES].map((name) => `${OUTPUT_PREFIX}/${name}`),
            );
            const hostDir = path.join(fixture.workspace.scratchDir, "host");
            assert.deepEqual([fs.statSync(hostDir).uid, fs.statSync(hostDir).gid], [HOST_UID, HOST_GID]);
            assert.equal(fs.statSync(path.join(hostDir, "input.json")).uid, 0, "the input stays the runner's");
        });

        it("with only the capabilities the task definition keeps (CHOWN, KILL, SETGID, SETUID: no DAC_OVERRIDE), the proof still publishes", async function () {
            // setpriv (util-linux) narrows the runner's bounding set to exactly what Fargate leaves it
            // after RUNNER_DROPPED_CAPABILITIES; without setpriv this case cannot be shown here.
            if (!fs.existsSync(SETPRIV)) this.skip();
            fs.chmodSync(fixture.workspace.root, 0o755);
            const kept = RUNNER_KEPT_CAPABILITIES.map((c) => `+${c.toLowerCase()}`).join(",");
            const result = await runCommand(SETPRIV, [`--bounding-set=-all,${kept}`, "--", process.execPath, ...MAIN], {
                ...fixture.s3.env,
                ...runnerEnv(fixture.workspace, { ZKVM_HOST_USER: PROVER_HOST_USER }),
            });
            assert.equal(result.code, EXIT_CODES.SUCCESS, result.stderr + JSON.stringify(errorLines(result.lines)));
            assert.deepEqual(
                await listKeys(fixture.s3.client, `${OUTPUT_PREFIX}/`),
                [...SUCCESS_OBJECT_NAMES].map((name) => `${OUTPUT_PREFIX}/${name}`),
            );
        });

        it("on SIGTERM the root runner still stops the host's whole process group (another uid: CAP_KILL)", async () => {
            fs.chmodSync(fixture.workspace.root, 0o755);
            let pids: number[] = [];
            const result = await runNode(
                MAIN,
                { ...fixture.s3.env, ...runnerEnv(fixture.workspace, { FAKE_HOST_MODE: "sleep", ZKVM_HOST_USER: PROVER_HOST_USER }) },
                (line, kill) => {
                    const sleeping = parseSleepingPids(String(line.line));
                    if (sleeping) {
                        pids = sleeping;
                        kill("SIGTERM");
                    }
                },
            );
            assert.equal(result.code, EXIT_CODES.STOPPED);
            assert.equal(pids.length, 2);
            assert.deepEqual(pids.map(isRunning), [false, false]);
        });
    });
});

describe("prover runner: credential isolation rules (pure)", () => {
    it("refuses to run the host beside the credentials when the runner cannot switch users", () => {
        assert.throws(
            () => assertHostIsolationPossible({ uid: 10001, gid: 10001 }, 10001),
            (error: unknown) =>
                error instanceof RunnerFailure &&
                error.failure === "HOST_ISOLATION_UNAVAILABLE" &&
                error.exitCode === EXIT_CODES.HOST_ISOLATION_UNAVAILABLE &&
                /runs as uid 10001, not root/.test(error.message),
        );
        assert.doesNotThrow(() => assertHostIsolationPossible({ uid: 10001, gid: 10001 }, 0));
        assert.doesNotThrow(() => assertHostIsolationPossible(undefined, 10001));
    });

    it("the host's environment keeps no AWS_* or ECS_* variable and gets its own HOME and TMPDIR", () => {
        const env = hostEnvironment(
            {
                AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/x",
                AWS_REGION: "eu-west-1",
                AWS_ENDPOINT_URL_S3: "http://127.0.0.1:1",
                ECS_CONTAINER_METADATA_URI_V4: "http://169.254.170.2/v4/x",
                RISC0_HOME: "/opt/risc0",
                PATH: "/bin",
                RUST_LOG: "",
            },
            "/scratch/tmp",
        );
        assert.deepEqual(env, { RISC0_HOME: "/opt/risc0", PATH: "/bin", TMPDIR: "/scratch/tmp", HOME: "/scratch/tmp", RUST_LOG: "info" });
    });
});
