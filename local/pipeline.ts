/**
 * The whole asynchronous prover pipeline on one machine, wired from a synthesized stack:
 *
 *   POST /api/sessions (api Lambda; captcha checked by a Turnstile stand-in on 127.0.0.1)
 *   POST /api/finalize (api Lambda) → work queue → prover-dispatch (event source mapping)
 *     → StartExecution → the synthesized state machine (aws-local-stepfunctions)
 *         VerifyImageSignature → check-image-signature Lambda (ECR answered locally)
 *         RunProver            → the real prover runner, fake zkVM host, S3 on s3rver
 *         Finalize*            → finalize-callback Lambda → sessions table on dynalite
 *   → GET /api/sessions/{id}/status
 *
 * Each function is the deployed wiring (`create*Function` of its index.ts) with the environment the
 * program gave it; Task states reach functions by the `FunctionName` in the definition, so a
 * miswired ARN fails here as it would in AWS. S3 and DynamoDB are real protocol servers on
 * 127.0.0.1; SQS, Step Functions, ECS, ECR and SSM are emulated in process (see each module).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createApiFunction } from "../lambdas/api/index";
import { createCheckImageSignatureFunction } from "../lambdas/check-image-signature/index";
import { createFinalizeFunction } from "../lambdas/finalize-callback/index";
import { createDispatchFunction } from "../lambdas/prover-dispatch/index";
import { createProofSlotCleanupFunction } from "../lambdas/proof-slot-cleanup/index";
import type { CheckImageSignatureResult, FinalizeEvent, SessionRecord } from "../lambdas/shared/contracts";
import { lazyInit } from "../lambdas/shared/init";
import { createLogger } from "../lambdas/shared/log";
import { SessionStore } from "../lambdas/shared/sessionStore";
import { type EcsFault, failedTask, LocalEcs } from "./ecs";
import type { HttpRequest } from "./events";
import { type FakeHostMode, writeFakeHost } from "./fakeHost";
import { callHttpApi, type HttpApiHandler, type HttpResponse, postJson } from "./httpApi";
import { type InvocationFault, withLambdaTimeout } from "./lambdaInvoker";
import { LocalQueue, type PollResult, pollUntilEmpty } from "./queue";
import { type S3Refusal, encryptionPolicyRefusal, failPutObjects, refusePutObjects } from "./s3Faults";
import { proofBucketPolicy } from "../builders/policies/proverPipeline";
import { createTable, type LocalDynamo, type LocalS3, startLocalDynamo, startLocalS3 } from "./servers";
import { type LocalEcr, type LocalRegistryModel, localEcr } from "./ecr";
import { localSsm, type SsmCall, type SsmFault } from "./ssm";
import type { LocalExecution } from "./stateMachine";
import { FUNCTION_ROLES, type FunctionRole, type PipelineWiring, VERIFIER_ROLE } from "./stackWiring";
import { createVerifierFunction } from "../lambdas/verifier-runner/index";
import { bundleObjectKey } from "../lambdas/shared/contracts";
import { type FakeVerifierMode, writeFakeVerifier } from "./fakeVerifier";
import { createApplicationVerifierRunner } from "./applicationVerifierRunner";
import { PutObjectCommand } from "@aws-sdk/client-s3";

/** Every function the pipeline may run: the four of every stack, and the verifier when configured. */
export type PipelineFunctionRole = FunctionRole | typeof VERIFIER_ROLE;
import { LocalStepFunctions } from "./stepFunctions";
import { type LocalTurnstile, startLocalTurnstile } from "./turnstile";

/** Faults to inject; each default is the healthy path. They may be changed between steps. */
export interface PipelineFaults {
    /** The registry ECR models for the pinned digest (signing rule, signing and scan progress, findings). Default signed and clean. */
    registry: Partial<LocalRegistryModel>;
    /** Behaviour of the fake zkVM host (FAKE_HOST_MODE). Default success. */
    hostMode: FakeHostMode;
    /** How long the fake host takes to prove, in ms (FAKE_HOST_PROVE_MS). Default: as fast as it can. */
    hostProveMs?: number;
    /** Replaces the task definition's ZKVM_TIMEOUT_SECONDS, to make a timeout take seconds, not 15 minutes. */
    hostTimeoutSeconds?: number;
    /** PutObject calls of the prover that fail with S3's 503 SlowDown before uploads work again. */
    uploadFailures: number;
    /** Taken one per PutObject of Step Functions (PublishVerificationReport): how S3 refuses it. */
    reportPutFaults: S3Refusal[];
    /** Finalize invocations that run but whose answer is lost (`Lambda.ServiceException`), so Step Functions retries them. */
    lostFinalizeAnswers: number;
    /** Deliveries of each work batch at once (2: a visibility timeout lapsed while the first still ran). */
    workDeliveries: number;
    /** SendMessage to the work queue fails with a 503 while true. */
    queueUnavailable: boolean;
    /** Taken one per RunTask, in order: how ECS answers instead of running the task (see `EcsFault`). */
    ecsFaults: EcsFault[];
    /** Replaces RunProver's TimeoutSeconds in the definition (set at start), to reach States.Timeout in seconds. */
    runProverTimeoutSeconds?: number;
    /** Gives the definition a top-level TimeoutSeconds (set at start), so an execution can end TIMED_OUT. */
    executionTimeoutSeconds?: number;
    /** Every Wait state (a slot poll, a gate recheck) waits this many ms instead of its Seconds (set at start). */
    waitMs?: number;
    /** Replaces a function's configured timeout, so a timeout takes a fraction of a second. */
    functionTimeoutSeconds: Partial<Record<PipelineFunctionRole, number>>;
    /**
     * Taken one per invocation of the function: `ok` (runs normally), `timeout` (it runs past its
     * timeout: Lambda.Unknown) or `crash` (its runtime exits: Lambda.Unknown). Its handler does not
     * run in the last two cases.
     */
    functionFaults: Partial<Record<PipelineFunctionRole, InvocationFault[]>>;
    /** Bytes of padding added to a function's answer (a Task result over 256 KiB: States.DataLimitExceeded). */
    inflatedAnswerBytes: Partial<Record<PipelineFunctionRole, number>>;
    /** How the fake verifier binary behaves (written before each VerifyProof invocation). Default honest. */
    verifierMode: FakeVerifierMode;
    /** Replaces the execution's bundle.zip just before VerifyProof reads it (a tampered or malicious bundle); used once. */
    replaceBundle?: Buffer;
    /** The verifier binary's time limit in ms (the handler's default is 100 s). */
    verifierTimeoutMs?: number;
    /** How SSM GetParameter fails while set. */
    ssm?: SsmFault;
}

const HEALTHY: PipelineFaults = {
    registry: {},
    hostMode: "success",
    uploadFailures: 0,
    reportPutFaults: [],
    lostFinalizeAnswers: 0,
    workDeliveries: 1,
    queueUnavailable: false,
    ecsFaults: [],
    functionTimeoutSeconds: {},
    functionFaults: {},
    inflatedAnswerBytes: {},
    verifierMode: "honest",
};

export type Actor = PipelineFunctionRole | "sqs" | "step-functions" | "ecs" | "prover";

export interface TraceEntry {
    /** Milliseconds since the pipeline started. */
    atMs: number;
    durationMs: number;
    actor: Actor;
    step: string;
    outcome: string;
}

export interface LogRecord {
    actor: Actor;
    level: string;
    message: string;
    fields: Record<string, unknown>;
}

/** A function as the stand-ins invoke it: with whatever event their service would send. */
type LocalHandler = (event: unknown) => Promise<unknown>;

/**
 * Each handler declares the event type its service sends; the stand-ins (queue, state machine,
 * HTTP API) build those events from the same contracts, so the type is dropped only here.
 */
function eraseEventType<E>(instance: () => (event: E) => Promise<unknown>): LocalHandler {
    return async (event) => instance()(event as E);
}

export class LocalPipeline {
    readonly faults: PipelineFaults;
    readonly trace: TraceEntry[] = [];
    readonly logs: LogRecord[] = [];
    readonly workQueue: LocalQueue;
    readonly deadLetterQueue: LocalQueue;
    readonly stepFunctions: LocalStepFunctions;
    readonly ecs: LocalEcs;
    /** The registry the image gate asks, with the calls it answered. */
    readonly ecr: LocalEcr;
    /** Every Lambda invocation, by function role, with the event it received. */
    /** `answer`: what the function returned, once it did. */
    readonly invocations: { role: PipelineFunctionRole; event: unknown; outcome: string; answer?: unknown }[] = [];
    /** Every SSM GetParameter call and how it was answered. */
    readonly ssmCalls: SsmCall[] = [];
    /** Reads the sessions table the api writes, for assertions. */
    private readonly sessions: SessionStore;
    private readonly functions = new Map<string, { role: PipelineFunctionRole; handler: LocalHandler }>();
    private readonly started = performance.now();
    /** Wall-clock start, to place events that carry a Date (execution start) on the same time line. */
    private readonly startedAt = Date.now();
    private apiClockOffsetMs = 0;

    private constructor(
        readonly wiring: PipelineWiring,
        readonly s3: LocalS3,
        readonly dynamo: LocalDynamo,
        /** The captcha provider the api asks (CAPTCHA_VERIFY_URL points here). */
        readonly turnstile: LocalTurnstile,
        private readonly workDir: string,
        faults: Partial<PipelineFaults>,
    ) {
        this.faults = { ...HEALTHY, ...faults };
        const s3Config = s3.clientConfig(wiring.region);
        const dynamodb = new DynamoDBClient(dynamo.clientConfig(wiring.region));
        const s3Client = new S3Client(s3Config);
        const refuseByPolicy = encryptionPolicyRefusal(proofBucketPolicy({ partition: "aws" }, wiring.bucket));
        this.sessions = new SessionStore(DynamoDBDocumentClient.from(dynamodb), wiring.functions.api.environment.SESSIONS_TABLE);

        this.ecr = localEcr(wiring, () => this.faults.registry);
        this.deadLetterQueue = new LocalQueue(wiring.deadLetterQueue, undefined, wiring.region);
        this.workQueue = new LocalQueue(wiring.workQueue, this.deadLetterQueue, wiring.region);
        this.ecs = new LocalEcs({
            wiring,
            workDir,
            hostBin: writeFakeHost(workDir),
            s3: failPutObjects(new S3Client(s3Config), () => this.takeUploadFailure()),
            extraEnvironment: () => ({
                FAKE_HOST_MODE: this.faults.hostMode,
                ...(this.faults.hostProveMs === undefined ? {} : { FAKE_HOST_PROVE_MS: String(this.faults.hostProveMs) }),
                ...(this.faults.hostTimeoutSeconds === undefined ? {} : { ZKVM_TIMEOUT_SECONDS: String(this.faults.hostTimeoutSeconds) }),
            }),
            onLine: (line) => this.log("prover", line.level, line.msg, line),
            fault: () => this.faults.ecsFaults.shift(),
        });
        this.stepFunctions = new LocalStepFunctions(
            { arn: wiring.stateMachine.arn, definition: withTimeouts(wiring.stateMachine.definition, this.faults) },
            {
                verifyImageSignature: (event, functionName) => this.invoke(functionName, event) as Promise<CheckImageSignatureResult>,
                runProver: (request, signal) =>
                    this.timed(
                        "ecs",
                        `RunTask ${request.TaskDefinition.split("/").pop()}`,
                        () => this.ecs.runTask(request, signal),
                        (task) => `container exited ${task.Containers[0].ExitCode}`,
                        (error) => {
                            const task = failedTask(error);
                            if (task === undefined) return undefined;
                            const exitCode = task.Containers[0].ExitCode;
                            const container = exitCode === undefined ? "container never ran" : `container exited ${exitCode}`;
                            const stop = task.StopCode === "EssentialContainerExited" ? "" : `${task.StopCode}: `;
                            return `${stop}${container} (States.TaskFailed)`;
                        },
                    ),
                finalize: (event, functionName) => this.invokeFinalize(functionName, event),
                dynamodb,
                // The bucket policy the stack deploys refuses a put without SSE-S3; s3rver enforces no policy.
                s3: refusePutObjects(new S3Client(s3Config), (input) => refuseByPolicy(input) ?? this.faults.reportPutFaults.shift()),
                // ReadProverImageRecord (application verifier contract): the same SSM stand-in the functions read.
                ssm: localSsm(wiring.parameters, { fault: () => this.faults.ssm, calls: this.ssmCalls }),
                verifyProof: (event, functionName) => this.invokeVerifier(functionName, event),
            },
            wiring.region,
            (execution, outcome) => {
                const atMs = execution.startedAt.getTime() - this.startedAt;
                const ended = `${outcome.status} after ${outcome.path.length} states`;
                this.trace.push({ atMs, durationMs: Date.now() - execution.startedAt.getTime(), actor: "step-functions", step: `execution ${execution.name}`, outcome: ended });
                this.statusChanged(execution.name, execution.arn, outcome.status);
            },
            this.faults.waitMs,
        );

        const env = (role: FunctionRole) => ({
            ...wiring.functions[role].environment,
            // The api's only local override: its captcha check goes to the stand-in, never to Cloudflare.
            ...(role === "api" ? { CAPTCHA_VERIFY_URL: turnstile.url } : {}),
        });
        const logger = (role: PipelineFunctionRole) =>
            createLogger((line) => {
                const { level, msg, time: _time, ...fields } = JSON.parse(line);
                this.log(role, level, msg, fields);
            });
        // Built on first invocation, as in Lambda: a configuration error is an ERROR line and a failed invocation.
        const factories: Record<FunctionRole, () => (event: never) => Promise<unknown>> = {
            api: () =>
                createApiFunction(
                    env("api"),
                    {
                        dynamodb,
                        sqs: this.workQueue.producerClient({ unavailable: () => this.faults.queueUnavailable }),
                        sfn: this.stepFunctions.client(),
                        ssm: localSsm(wiring.parameters, { fault: () => this.faults.ssm, calls: this.ssmCalls }),
                        s3: s3Client,
                    },
                    logger("api"),
                    () => new Date(Date.now() + this.apiClockOffsetMs),
                ),
            "prover-dispatch": () =>
                createDispatchFunction(env("prover-dispatch"), { s3: s3Client, sfn: this.stepFunctions.client(), dynamodb }, logger("prover-dispatch")),
            "finalize-callback": () => createFinalizeFunction(env("finalize-callback"), { dynamodb }, logger("finalize-callback")),
            "proof-slot-cleanup": () =>
                createProofSlotCleanupFunction(env("proof-slot-cleanup"), { dynamodb, sfn: this.stepFunctions.client() }, logger("proof-slot-cleanup")),
            "check-image-signature": () =>
                createCheckImageSignatureFunction({ ecr: this.ecr.client }, logger("check-image-signature")),
        };
        const handlers = Object.fromEntries(
            FUNCTION_ROLES.map((role) => {
                const instance = lazyInit(role, factories[role], logger(role));
                return [role, eraseEventType(instance)];
            }),
        ) as Record<FunctionRole, LocalHandler>;
        for (const role of FUNCTION_ROLES) {
            this.functions.set(wiring.functions[role].arn, { role, handler: handlers[role] });
        }
        if (wiring.verifier !== undefined && wiring.verifier.environment.APP_HANDLER !== undefined) {
            // The application's build (applicationBuilds.verifierRunner): its stand-in, with the fake
            // verifier binary where VERIFIER_SERVICE_BIN (the layer's /opt/bin) would point.
            const runner = createApplicationVerifierRunner(
                { ...wiring.verifier.environment, VERIFIER_SERVICE_BIN: this.verifierBinary() },
                { s3: s3Client, workDir: path.join(workDir, "verifier-work") },
            );
            this.functions.set(wiring.verifier.arn, { role: VERIFIER_ROLE, handler: runner });
        } else if (wiring.verifier !== undefined) {
            // The real handler, with the fake verifier binary where the layer would put the real one.
            const verifierEnv = { ...wiring.verifier.environment };
            const tmpDir = path.join(workDir, "verifier-tmp");
            fs.mkdirSync(tmpDir);
            const instance = lazyInit(
                VERIFIER_ROLE,
                () =>
                    createVerifierFunction(
                        verifierEnv,
                        { s3: s3Client, ssm: localSsm(wiring.parameters, { calls: this.ssmCalls }) },
                        logger(VERIFIER_ROLE),
                        { binary: this.verifierBinary(), tmpDir, verifierTimeoutMs: this.faults.verifierTimeoutMs },
                    ),
                logger(VERIFIER_ROLE),
            );
            this.functions.set(wiring.verifier.arn, { role: VERIFIER_ROLE, handler: eraseEventType(instance) });
        }
    }

    /** Where the fake verifier binary lives (the layer's /opt/bin/verifier-service, here). */
    private verifierBinary(): string {
        return path.join(this.workDir, "verifier-layer", "bin", "verifier-service");
    }

    /** Starts S3 and DynamoDB on 127.0.0.1 with the stack's bucket and tables, and wires the functions. */
    static async start(wiring: PipelineWiring, faults: Partial<PipelineFaults> = {}): Promise<LocalPipeline> {
        const s3 = await startLocalS3([wiring.bucket]);
        const dynamo = await startLocalDynamo();
        const captchaParameter = wiring.functions.api.environment.SECRET_PARAMETER_CAPTCHA;
        const turnstile = await startLocalTurnstile(wiring.parameters[captchaParameter]?.value ?? "");
        const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "local-pipeline-"));
        try {
            for (const table of wiring.tables) {
                await createTable(dynamo.client, table.name, table);
            }
            return new LocalPipeline(wiring, s3, dynamo, turnstile, workDir, faults);
        } catch (error) {
            // Servers left running would keep the process alive.
            await Promise.all([s3.stop(), dynamo.stop(), turnstile.stop()]);
            fs.rmSync(workDir, { recursive: true, force: true });
            throw error;
        }
    }

    /** An HTTP request through the api function, as API Gateway would send it. */
    request(request: HttpRequest): Promise<HttpResponse> {
        const api = this.functionFor("api");
        return this.timed("api", `${request.method} ${request.path}`, () => callHttpApi(api as HttpApiHandler, request), (r) => `HTTP ${r.status}`);
    }

    /** `POST /api/sessions` with a captcha token the stand-in issued, as the browser would; the 201's body. */
    async createSession(): Promise<{ sessionId: string; capability: string; expiresAt: string }> {
        const response = await this.request(postJson("/api/sessions", { captchaToken: this.turnstile.issueToken() }));
        if (response.status !== 201) {
            throw new Error(`POST /api/sessions answered ${response.status}: ${JSON.stringify(response.json)}`);
        }
        return response.json as { sessionId: string; capability: string; expiresAt: string };
    }

    /** Invokes a function directly, as any principal allowed to call Lambda's Invoke would (e.g. a forged event). */
    invokeFunction(role: FunctionRole, event: unknown): Promise<unknown> {
        return this.invoke(this.wiring.functions[role].arn, event);
    }

    /** The event source mapping: polls the work queue until it is empty, invoking prover-dispatch. */
    async deliverWork(): Promise<PollResult> {
        const mapping = this.wiring.eventSource;
        if (mapping.queueArn !== this.wiring.workQueue.arn) {
            throw new Error(`event source mapping reads ${mapping.queueArn}, not the work queue ${this.wiring.workQueue.arn}`);
        }
        return this.timed(
            "sqs",
            "poll work queue",
            () => pollUntilEmpty(this.workQueue, mapping, (event) => this.invoke(mapping.functionArn, event) as never, { copies: this.faults.workDeliveries }),
            (r) => `${r.deleted.length} deleted, ${r.redelivered.length} redelivered, ${this.deadLetterQueue.messages().length} in DLQ`,
        );
    }

    /**
     * EventBridge: the "Step Functions Execution Status Change" event of an ended execution, delivered
     * to the targets of every synthesized rule whose pattern matches it (asynchronously, as EventBridge
     * does). https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
     */
    readonly eventDeliveries: Promise<unknown>[] = [];
    private statusChanged(name: string, executionArn: string, status: string): void {
        const event = {
            version: "0",
            source: "aws.states",
            "detail-type": "Step Functions Execution Status Change",
            account: this.wiring.accountId,
            region: this.wiring.region,
            detail: { executionArn, stateMachineArn: this.wiring.stateMachine.arn, name, status },
        };
        for (const rule of this.wiring.eventRules.filter((r) => matchesPattern(r.pattern, event))) {
            for (const target of rule.targetArns) {
                this.eventDeliveries.push(this.invoke(target, event).catch((error: Error) => `${error.name}: ${error.message}`));
            }
        }
    }

    /** Runs the scheduled rules' target once now (the slot sweep), as its schedule would. */
    sweepProofSlots(): Promise<unknown> {
        return this.invoke(this.wiring.functions["proof-slot-cleanup"].arn, { "detail-type": "Scheduled Event", source: "aws.events", detail: {} });
    }

    /** Moves the api's clock forward, to reach a deadline (such as the dispatch deadline) without waiting. */
    advanceApiClock(seconds: number): void {
        this.apiClockOffsetMs += seconds * 1000;
    }

    /** Waits for every execution started so far to end (and for every task they started to stop). */
    async settled(): Promise<LocalExecution[]> {
        const executions = await this.stepFunctions.settled();
        await this.ecs.idle();
        await Promise.all(this.eventDeliveries);
        return executions;
    }

    /** The session item as stored (for assertions beyond what the api shows). */
    session(sessionId: string): Promise<SessionRecord | undefined> {
        return this.sessions.get(sessionId);
    }

    logsOf(actor: Actor): LogRecord[] {
        return this.logs.filter((record) => record.actor === actor);
    }

    async stop(): Promise<void> {
        await this.settled().catch(() => undefined);
        await this.ecs.idle();
        await this.s3.stop();
        await this.dynamo.stop();
        await this.turnstile.stop();
        fs.rmSync(this.workDir, { recursive: true, force: true });
    }

    /** The Lambda service: invokes the function with this ARN, or fails as Step Functions reports it. */
    private invoke(functionArn: string, event: unknown): Promise<unknown> {
        const fn = this.functions.get(functionArn);
        if (!fn) {
            return Promise.reject(Object.assign(new Error(`Function not found: ${functionArn}`), { name: "Lambda.ResourceNotFoundException" }));
        }
        // Recorded in the order invocations start; the outcome is filled in when each ends.
        const invocation: (typeof this.invocations)[number] = { role: fn.role, event, outcome: "running" };
        this.invocations.push(invocation);
        const wired = fn.role === VERIFIER_ROLE ? this.wiring.verifier! : this.wiring.functions[fn.role];
        const timeoutSeconds = this.faults.functionTimeoutSeconds[fn.role] ?? wired.timeoutSeconds;
        const fault = this.faults.functionFaults[fn.role]?.shift();
        const padding = this.faults.inflatedAnswerBytes[fn.role];
        return this.timed(
            fn.role,
            "invoke",
            () =>
                withLambdaTimeout(timeoutSeconds, fault, async () => {
                    const result = await fn.handler(event);
                    return padding === undefined ? result : { ...(result as object), padding: "x".repeat(padding) };
                }),
            (result) => {
                invocation.outcome = summarize(result);
                invocation.answer = result;
                return invocation.outcome;
            },
            (error) => {
                invocation.outcome = `${(error as Error).name}: ${(error as Error).message}`;
                return undefined; // the trace keeps its default, shortened description
            },
        );
    }

    private async invokeFinalize(functionArn: string, event: FinalizeEvent): Promise<unknown> {
        const result = await this.invoke(functionArn, event);
        if (this.faults.lostFinalizeAnswers > 0) {
            this.faults.lostFinalizeAnswers -= 1;
            throw Object.assign(new Error("the function ran but its response was lost"), { name: "Lambda.ServiceException" });
        }
        return result;
    }

    /** VerifyProof: writes the fake verifier in the mode asked for, plays a replaced bundle, then invokes the function. */
    private async invokeVerifier(functionArn: string, event: unknown): Promise<unknown> {
        writeFakeVerifier(path.join(this.workDir, "verifier-layer"), this.faults.verifierMode);
        const replacement = this.faults.replaceBundle;
        if (replacement !== undefined) {
            this.faults.replaceBundle = undefined;
            // Both contracts' events carry the two ids (builders/verifierContract.ts).
            const { sessionId, executionId } = event as { sessionId: string; executionId: string };
            const key = bundleObjectKey(this.wiring.proofPrefix, sessionId, executionId);
            await this.s3.client.send(new PutObjectCommand({ Bucket: this.wiring.bucket, Key: key, Body: replacement }));
            this.trace.push({ atMs: this.now(), durationMs: 0, actor: "prover", step: "PutObject bundle.zip", outcome: "replaced by an injected bundle" });
        }
        return this.invoke(functionArn, event);
    }

    private functionFor(role: FunctionRole): LocalHandler {
        return this.functions.get(this.wiring.functions[role].arn)!.handler;
    }

    /** Spends one of `faults.uploadFailures`, if any are left. */
    private takeUploadFailure(): boolean {
        if (this.faults.uploadFailures <= 0) return false;
        this.faults.uploadFailures -= 1;
        this.trace.push({ atMs: this.now(), durationMs: 0, actor: "prover", step: "PutObject", outcome: "injected 503 SlowDown" });
        return true;
    }

    /** Runs `action`, adding a trace entry with its timing and outcome (`failure` may describe an error better). */
    private async timed<T>(
        actor: Actor,
        step: string,
        action: () => Promise<T>,
        outcome: (result: T) => string,
        failure: (error: unknown) => string | undefined = () => undefined,
    ): Promise<T> {
        // Added when the step starts, so the trace lists steps in the order they began.
        const entry: TraceEntry = { atMs: this.now(), durationMs: 0, actor, step, outcome: "running" };
        this.trace.push(entry);
        try {
            const result = await action();
            entry.outcome = outcome(result);
            return result;
        } catch (error) {
            const e = error as Error;
            entry.outcome = failure(error) ?? `${e.name}: ${e.message.slice(0, 160)}`;
            throw error;
        } finally {
            entry.durationMs = this.now() - entry.atMs;
        }
    }

    private now(): number {
        return Math.round(performance.now() - this.started);
    }

    private log(actor: Actor, level: unknown, message: unknown, fields: Record<string, unknown>): void {
        this.logs.push({ actor, level: String(level), message: String(message), fields });
    }
}

/**
 * The definition with the RunProver and execution timeouts a fault replaces (a copy; the wiring's
 * stays as synthesized).
 */
function withTimeouts(definition: PipelineWiring["stateMachine"]["definition"], faults: PipelineFaults) {
    const copy = JSON.parse(JSON.stringify(definition)) as typeof definition & { TimeoutSeconds?: number };
    if (faults.runProverTimeoutSeconds !== undefined) copy.States.RunProver.TimeoutSeconds = faults.runProverTimeoutSeconds;
    if (faults.executionTimeoutSeconds !== undefined) copy.TimeoutSeconds = faults.executionTimeoutSeconds;
    return copy;
}

/**
 * EventBridge's matching for the patterns this stack uses: every field of the pattern must be present
 * in the event; an array lists the values allowed, an object matches the nested object.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
    return Object.entries(pattern).every(([key, expected]) => {
        const actual = event[key];
        if (Array.isArray(expected)) return expected.includes(actual);
        if (expected !== null && typeof expected === "object") {
            return actual !== null && typeof actual === "object" && matchesPattern(expected as Record<string, unknown>, actual as Record<string, unknown>);
        }
        return false;
    });
}

function summarize(result: unknown): string {
    if (result && typeof result === "object") {
        const r = result as Record<string, unknown>;
        if ("batchItemFailures" in r) return `${(r.batchItemFailures as unknown[]).length} batch item failure(s)`;
        if ("outcome" in r) return `${r.status} (${r.outcome})`;
        if ("status" in r && "signingStatuses" in r) return `signature ${r.status}`;
        if ("status" in r && "reportKey" in r) return `verdict ${r.status}`;
        // The application's verifier runner (local/applicationVerifierRunner.ts).
        if ("verifierStatus" in r) return `verdict ${r.verifierStatus}${(r.s3 as { reportKey?: string } | undefined)?.reportKey === undefined ? " (report not published)" : ""}`;
        if (r.status === "error" && "message" in r) return `error answer: ${r.message}`;
        if ("statusCode" in r) return `HTTP ${r.statusCode}`;
    }
    return "ok";
}
