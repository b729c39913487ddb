/**
 * The application's own Lambda builds on this stack (instead of the reference handlers): which
 * functions can run one, the environment variables the application's code reads (named as in its
 * `amplify/backend.ts` and read in its `src/` and `amplify/functions/`), the secrets the wrapper
 * loads, and the extra permissions the application's code needs beyond the reference handler's.
 *
 * Pure: no Pulumi imports; parsed config and plain values in, plain documents out.
 */
import { APP_PROVER_IMAGE_PARAMETER } from "../lambdas/app-wrapper/variables";
import { AwsContext, PolicyStatement, arn } from "./policies/document";
import { readProverImageRecordStatement } from "./verifierSettings";

/**
 * Functions that can run an application build. `verifierRunner` needs the verifier step (config
 * `verifier`: its layer holds the binary the application's verifier-service-runner executes).
 */
export const APPLICATION_FUNCTIONS = ["api", "proverDispatch", "finalizeCallback", "verifierRunner"] as const;
export type ApplicationFunction = (typeof APPLICATION_FUNCTIONS)[number];

export interface ApplicationBuild {
    /** A directory or `.zip` of the application's build, relative to the project root. */
    path: string;
    /** Lambda handler of the build, `<module path>.<export>`, e.g. `amplify/functions/hono-api/handler.handler`. */
    handler: string;
}
export type ApplicationBuilds = Partial<Record<ApplicationFunction, ApplicationBuild>>;

/** Lambda's handler syntax, kept inside the build (no `..`). Same rule as the wrapper's parser. */
export const HANDLER_SPEC = /^((?:[A-Za-z0-9_@-][A-Za-z0-9_.@-]*\/)*[A-Za-z0-9_@-][A-Za-z0-9_@-]*)\.([A-Za-z_$][A-Za-z0-9_$]*)$/;

/** Problems of the `applicationBuilds` config value, each naming its key; `key` is the full config key. */
export function applicationBuildsProblems(value: unknown, key: string): string[] {
    if (value === undefined) return [];
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return [`${key}: must be an object {${APPLICATION_FUNCTIONS.join(", ")}} of {path, handler}`];
    }
    const problems: string[] = [];
    for (const [fn, build] of Object.entries(value)) {
        const at = `${key}.${fn}`;
        if (!(APPLICATION_FUNCTIONS as readonly string[]).includes(fn)) {
            problems.push(`${at}: unknown function; allowed: ${APPLICATION_FUNCTIONS.join(", ")}`);
            continue;
        }
        if (typeof build !== "object" || build === null || Array.isArray(build)) {
            problems.push(`${at}: must be {path, handler}`);
            continue;
        }
        const b = build as Record<string, unknown>;
        for (const extra of Object.keys(b).filter((k) => k !== "path" && k !== "handler")) problems.push(`${at}.${extra}: unknown key (allowed: path, handler)`);
        if (typeof b.path !== "string" || b.path.trim() === "") problems.push(`${at}.path: required: a directory or .zip of the application's build`);
        if (typeof b.handler !== "string" || !HANDLER_SPEC.test(b.handler) || b.handler.split("/").includes("..")) {
            problems.push(`${at}.handler: must be <module path>.<export> inside the build, e.g. amplify/functions/hono-api/handler.handler, got ${JSON.stringify(b.handler)}`);
        }
    }
    return problems;
}

/** Problems of the app layer's arguments about application builds, each naming the argument. */
export function applicationBuildArgProblems(a: { builds?: ApplicationBuilds; hasDataApi: boolean; apiHandlerPath?: string }): string[] {
    const configured = APPLICATION_FUNCTIONS.filter((fn) => a.builds?.[fn] !== undefined);
    const problems: string[] = [];
    if (configured.length > 0 && !a.hasDataApi) {
        problems.push(`applicationBuilds (${configured.join(", ")}): the application's builds reach their data only through the data API; pass dataApi`);
    }
    if (a.builds?.api !== undefined && a.apiHandlerPath !== undefined) {
        problems.push("apiHandlerPath and applicationBuilds.api: set one of them (both name the api function's code)");
    }
    return problems;
}

/** The value once `applicationBuildsProblems` found nothing. */
export function toApplicationBuilds(value: unknown): ApplicationBuilds | undefined {
    if (value === undefined) return undefined;
    const builds: ApplicationBuilds = {};
    for (const [fn, build] of Object.entries(value as Record<string, ApplicationBuild>)) builds[fn as ApplicationFunction] = { path: build.path, handler: build.handler };
    return builds;
}

/**
 * The application's names for the environments: its runtime says `production` for main (its
 * backend.ts: `deploymentEnv === 'main' ? 'production' : 'develop'`), the branch names stay.
 */
export function applicationEnvName(environment: string): string {
    return environment === "main" ? "production" : environment;
}

/** Which config secret lands in which variable the application reads. */
export const APPLICATION_SECRET_VARIABLES = {
    sessionCapabilitySecret: "SESSION_CAPABILITY_SECRET",
    voteEncryptionKey: "VOTE_SECRET_ENCRYPTION_KEY",
    captchaSecret: "TURNSTILE_SECRET_KEY",
} as const;

export interface ApplicationEnvironmentValues<V> {
    environment: string;
    region: V;
    dataApiEndpoint: V;
    dataApiId: V;
    proofBucketName: V;
    proofPrefix: string;
    stateMachineArn: V;
    workQueueUrl: V;
    rateLimitEventsTable: V;
    rateLimitCountersTable: V;
    dispatchConcurrency: number;
    /** `APP_SECRET_PARAMETER_MAP` of the api (see secretParametersVariable). */
    secretParameters: V;
    /** The verifier step, when configured: its function's name (the api invokes it) and the expected zkVM image id. */
    verifier?: { functionName: V; imageId: string };
    /** Name of the prover image record, which the api's wrapper reads `EXPECTED_IMAGE_ID` from (APP_PROVER_IMAGE_PARAMETER). */
    proverImageParameter: V;
}

/** Where Lambda extracts the verifier layer's binary (layers land under /opt). */
export const VERIFIER_SERVICE_BIN = "/opt/bin/verifier-service";

/**
 * The environment of an application build: the variables its code reads, the wrapper's
 * `APP_HANDLER` and, for the api only, `APP_SECRET_PARAMETER_MAP` (parameter names, never values).
 * Feature switches are set to what this stack provides (the data API, S3, Step Functions, SQS and
 * DynamoDB rate limiting), matching the earlier setup's defaults.
 */
export function applicationEnvironment<V>(fn: ApplicationFunction, build: ApplicationBuild, v: ApplicationEnvironmentValues<V>): Record<string, V | string> {
    const common: Record<string, V | string> = {
        APP_HANDLER: build.handler,
        AMPLIFY_DATA_ENDPOINT: v.dataApiEndpoint,
        AMPLIFY_DATA_API_ID: v.dataApiId,
        AMPLIFY_DATA_REGION: v.region,
        S3_PROOF_BUCKET: v.proofBucketName,
        S3_PROOF_PREFIX: v.proofPrefix,
        ENV_NAME: applicationEnvName(v.environment),
        AWS_BRANCH: v.environment,
        AMPLIFY_BRANCH: v.environment,
    };
    switch (fn) {
        case "verifierRunner":
            // The earlier setup's verifierEnvMappings: no data API; the binary from the layer.
            if (v.verifier === undefined) throw new Error("applicationBuilds.verifierRunner: requires the verifier step (config verifier)");
            return verifierApplicationEnvironment(build, { environment: v.environment, proofBucketName: v.proofBucketName, proofPrefix: v.proofPrefix, proverImageParameter: v.proverImageParameter });
        case "finalizeCallback":
            return common;
        case "proverDispatch":
            return { ...common, PROVER_STATE_MACHINE_ARN: v.stateMachineArn };
        case "api":
            return {
                ...common,
                USE_AMPLIFY_DATA: "true",
                USE_S3: "true",
                PROVER_WORK_QUEUE_URL: v.workQueueUrl,
                PROVER_STATE_MACHINE_ARN: v.stateMachineArn,
                PROVER_LAMBDA_CONCURRENCY: String(v.dispatchConcurrency),
                FINALIZE_ASYNC_MODE: "true",
                PROVER_STEP_FUNCTIONS_ENABLED: "true",
                RATE_LIMIT_STORE: "dynamo",
                RATE_LIMIT_EVENTS_TABLE: v.rateLimitEventsTable,
                RATE_LIMIT_COUNTERS_TABLE: v.rateLimitCountersTable,
                APP_SECRET_PARAMETER_MAP: v.secretParameters,
                // Not EXPECTED_IMAGE_ID: the wrapper sets it at cold start from the prover image record
                // (lambdas/app-wrapper), the place the verifier reads it from, so no copy sits here.
                [APP_PROVER_IMAGE_PARAMETER]: v.proverImageParameter,
                // Its verification route invokes the verifier function.
                ...(v.verifier === undefined ? {} : { VERIFIER_SERVICE_RUNNER_FUNCTION_NAME: v.verifier.functionName }),
            };
    }
}

/**
 * The application's verifier-service-runner reads these (the earlier setup's verifierEnvMappings):
 * no data API, no secrets; the binary from the verifier layer. Not `EXPECTED_IMAGE_ID`: the wrapper sets
 * it at cold start from the prover image record (`APP_PROVER_IMAGE_PARAMETER`), the one place the
 * reference verifier and both apis read it from too (VerifyProof also sends it in each event).
 */
export function verifierApplicationEnvironment<V>(
    build: ApplicationBuild,
    v: { environment: string; proofBucketName: V; proofPrefix: string; proverImageParameter: V },
): Record<string, V | string> {
    return {
        APP_HANDLER: build.handler,
        USE_S3: "true",
        S3_PROOF_BUCKET: v.proofBucketName,
        S3_PROOF_PREFIX: v.proofPrefix,
        ENV_NAME: applicationEnvName(v.environment),
        AWS_BRANCH: v.environment,
        AMPLIFY_BRANCH: v.environment,
        VERIFIER_SERVICE_BIN,
        [APP_PROVER_IMAGE_PARAMETER]: v.proverImageParameter,
    };
}

/** `APP_SECRET_PARAMETER_MAP` from resolved parameter names. */
export function secretParametersVariable(names: Record<keyof typeof APPLICATION_SECRET_VARIABLES, string>): string {
    return JSON.stringify(
        Object.fromEntries(
            (Object.keys(APPLICATION_SECRET_VARIABLES) as (keyof typeof APPLICATION_SECRET_VARIABLES)[]).map((k) => [APPLICATION_SECRET_VARIABLES[k], names[k]]),
        ),
    );
}

export interface ApplicationPolicyArgs {
    ctx: AwsContext;
    bucketName: string;
    proofPrefix: string;
    workQueueArn: string;
    /** appsync:GraphQL on the data API's operations (DataApi.callStatement). */
    callDataApi: PolicyStatement;
    /** The verifier function's ARN, when the verifier step exists: the api invokes it. */
    verifierFunctionArn?: string;
    /** The prover image record's ARN: the verifier runner's wrapper reads it. */
    imageParameterArn?: string;
}

/**
 * The application's verifier-service-runner: it downloads the bundle (HeadObject, then GetObject)
 * and uploads the verification bundle and report under the proof prefix. It never calls the data
 * API; its wrapper reads the prover image record (ssm:GetParameter on that parameter only). ListBucket
 * on the prefix so a missing bundle is a 404 to HeadObject, not a 403.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
 */
export function verifierApplicationStatements(ctx: AwsContext, bucketName: string, proofPrefix: string, imageParameterArn: string): PolicyStatement[] {
    return [
        readProverImageRecordStatement(imageParameterArn),
        { Sid: "ReadWriteProofArtifacts", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: arn.s3Object(ctx, bucketName, `${proofPrefix}*`) },
        {
            Sid: "ListProofPrefix",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: arn.s3Bucket(ctx, bucketName),
            Condition: { StringLike: { "s3:prefix": `${proofPrefix}*` } },
        },
    ];
}

/**
 * What an application build needs beyond its reference handler's policy: every build calls the data
 * API; the api also reads the work queue's depth (`GetQueueAttributes`, its queue-position answer) and
 * lists the proof prefix (so a missing bundle is a 404 to HeadObject, not a 403); the finalize
 * callback reads the proof artifacts it summarizes. Nothing outside the prefix, queue or API.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html (403 without s3:ListBucket)
 */
export function applicationPolicyStatements(fn: ApplicationFunction, a: ApplicationPolicyArgs): PolicyStatement[] {
    const listPrefix: PolicyStatement = {
        Sid: "ListProofPrefix",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: arn.s3Bucket(a.ctx, a.bucketName),
        Condition: { StringLike: { "s3:prefix": `${a.proofPrefix}*` } },
    };
    switch (fn) {
        case "proverDispatch":
            return [a.callDataApi];
        case "finalizeCallback":
            return [
                a.callDataApi,
                { Sid: "ReadProofArtifacts", Effect: "Allow", Action: "s3:GetObject", Resource: arn.s3Object(a.ctx, a.bucketName, `${a.proofPrefix}*`) },
                listPrefix,
            ];
        case "verifierRunner":
            if (a.imageParameterArn === undefined) throw new Error("applicationBuilds.verifierRunner: needs the prover image record's ARN");
            return verifierApplicationStatements(a.ctx, a.bucketName, a.proofPrefix, a.imageParameterArn);
        case "api":
            return [
                a.callDataApi,
                { Sid: "ReadWorkQueueDepth", Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: a.workQueueArn },
                listPrefix,
                // https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (lambda:InvokeFunction on the function's ARN)
                ...(a.verifierFunctionArn === undefined ? [] : [{ Sid: "InvokeVerifier", Effect: "Allow" as const, Action: "lambda:InvokeFunction", Resource: a.verifierFunctionArn }]),
            ];
    }
}
