import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    APP_API_DEFAULTS,
    APP_SECRETS,
    API_ROUTE_KEYS,
    AppSecretEnvVar,
    AppSecretKey,
    accessLogFormat,
    ApiCorsConfiguration,
    apiCorsConfiguration,
    appApiNames,
    lambdaEnvironment,
    routeResourceSuffix,
    secretParameterName,
    tableKeyArgs,
    validateAppApiSettings,
} from "../builders/appApiSettings";
import { logGroupNames } from "../builders/names";
import { combinedCorsOrigins } from "../builders/webHosting";
import { apiPolicy, finalizeCallbackPolicy, proverDispatchPolicy } from "../builders/policies/appApi";
import { AwsContext, PolicyDocument, PolicyStatement, policyDocument } from "../builders/policies/document";
import {
    ApplicationBuild,
    ApplicationBuilds,
    ApplicationFunction,
    applicationBuildArgProblems,
    applicationEnvironment,
    applicationPolicyStatements,
    secretParametersVariable,
} from "../builders/applicationBuilds";
import { applicationArchive } from "./applicationCode";
import { RATE_LIMIT_KEY_TABLE_SCHEMA, RATE_LIMIT_TABLE_SCHEMA, SESSIONS_TABLE_SCHEMA, TableSchema } from "../lambdas/shared/tables";
import { prebuiltArchive } from "./lambdaCode";
import { NodeFunction } from "./nodeFunction";
import { retainedLogGroup } from "./retainedLogGroup";

export interface AppApiArgs {
    /** Environment name: the api's ENV_NAME (and, by default, the suffix of physical names). Required. */
    environment: string;
    /**
     * Suffix of every physical name (builders/names.ts): the stack's name scope, so a second stack
     * in the same account collides with nothing. Default: the environment name.
     */
    nameScope?: string;
    /** Partition, region and account of the stack. Required. */
    awsContext: pulumi.Input<AwsContext>;
    /** Retention of every log group the component creates. Required (per environment). */
    logRetentionDays: number;
    /** `protect` the tables (with their deletion protection) and the log groups. Default: false. */
    protectStatefulResources?: boolean;
    /** The proof bundle bucket (ProverPipeline). Required. */
    proofBucketName: pulumi.Input<string>;
    /** Key prefix of proof inputs and bundles, as the pipeline uses it. Required. */
    proofPrefix: string;
    /** URL of the prover work queue (ProverPipeline). Required. */
    workQueueUrl: pulumi.Input<string>;
    /** ARN of the prover work queue (ProverPipeline). Required. */
    workQueueArn: pulumi.Input<string>;
    /** The work queue's MaximumMessageSize (ProverPipeline): the api refuses a proof request whose message would exceed it. Required. */
    workQueueMaxMessageBytes: pulumi.Input<number>;
    /** The work queue's visibility timeout, checked against the dispatch timeout. Default: 1000. */
    workQueueVisibilityTimeoutSeconds?: number;
    /** ARN of the prover dispatcher state machine (ProverPipeline). Required. */
    stateMachineArn: pulumi.Input<string>;
    /** Name of that state machine, for the ARN pattern of its executions. Required. */
    stateMachineName: pulumi.Input<string>;
    /**
     * Physical name of the finalize-callback function. The state machine invokes the ARN derived from
     * this name (the pipeline is created first), so the function must carry exactly it. Required.
     */
    finalizeCallbackFunctionName: string;
    /** Lifetime of a session capability from its issue time (stack key `sessionCapabilityTtlSeconds`). Default: 86400. */
    sessionCapabilityTtlSeconds?: number;
    /** Whether a succeeded session may be proven again (stack key `allowReproving`; the earlier bundle stays listed). Default: false. */
    allowReproving?: boolean;
    /** Browser origins allowed to call the API; no CORS configuration when empty. Default: none. */
    apiCorsOrigins?: readonly string[];
    /**
     * Origins of the hosted web app (WebHosting), added after `apiCorsOrigins` (duplicates once).
     * Default: none (only the configured origins).
     */
    webOrigins?: pulumi.Input<string[]>;
    /** Stage throttling. Default: burst 50, rate 20 per second (every stage throttles). */
    apiThrottling?: { burstLimit: number; rateLimit: number };
    /** Custom domain with its (same-region) ACM certificate. Default: none (the execute-api endpoint). */
    customDomain?: { domainName: string; certificateArn: string };
    /** The SQS event source's maximum concurrency (dispatches running at once). Default: 2. */
    dispatchConcurrency?: number;
    /** Global budget: proofs `POST /api/finalize` admits per UTC hour and day (429 beyond). Default: 30 and 60. */
    proofBudget?: { perHour: number; perDay: number };
    /**
     * Reserved concurrency of prover-dispatch, at least `dispatchConcurrency`. Opt-in: a reservation
     * must leave the account's unreserved pool at its minimum, which new or low-quota accounts
     * cannot. Default: none (the event source's maximum concurrency already caps the dispatcher).
     */
    dispatchReservedConcurrency?: number;
    /** A prebuilt api handler (directory or .zip, entry `index.handler`). Default: the reference handler. */
    apiHandlerPath?: string;
    /** Application secrets (Pulumi config secrets), stored as SSM SecureString parameters. Required. */
    secrets: Record<AppSecretKey, pulumi.Output<string>>;
    /**
     * The application's data API (DataApi): its endpoint and id reach the application builds, its
     * call statement their roles. Required when `applicationBuilds` names any function. Default: none.
     */
    dataApi?: { endpoint: pulumi.Input<string>; apiId: pulumi.Input<string>; callStatement: pulumi.Input<PolicyStatement> };
    /**
     * The application's own builds to run instead of the reference handlers, per function, each
     * behind the secrets wrapper (lambdas/app-wrapper). Default: none (every function runs its
     * reference handler).
     */
    applicationBuilds?: ApplicationBuilds;
    /**
     * The verifier step (ProofVerifier), when configured: the application's api build invokes it
     * (`VERIFIER_SERVICE_RUNNER_FUNCTION_NAME`) and checks proofs against `imageId`. The verifier
     * runner's own application build is ProofVerifier's, not this layer's. Default: none.
     */
    verifier?: { functionName: pulumi.Input<string>; functionArn: pulumi.Input<string>; imageId: string };
    /**
     * The stack's prover image record (ProverImageRecord): the api reads the expected zkVM image id
     * from it at run time (reference handler: `PROVER_IMAGE_PARAMETER`; an application build: the
     * wrapper, `APP_PROVER_IMAGE_PARAMETER`), so no function's configuration carries a copy. Required.
     */
    proverImageRecord: { parameterName: pulumi.Input<string>; parameterArn: pulumi.Input<string> };
}

/**
 * The app layer (replaces what Amplify managed): the HTTP API and its api Lambda, the sessions and
 * rate-limit tables, the application secrets in SSM, prover-dispatch on the work queue and the
 * finalize-callback the state machine invokes.
 */
export class AppApi extends pulumi.ComponentResource {
    readonly apiUrl: pulumi.Output<string>;
    readonly apiId: pulumi.Output<string>;
    readonly apiEndpoint: pulumi.Output<string>;
    readonly apiExecutionArn: pulumi.Output<string>;
    readonly apiStageName: pulumi.Output<string>;
    /** Where the custom domain's DNS record must point; undefined without a custom domain. */
    readonly customDomainTarget: pulumi.Output<string> | undefined;
    readonly sessionsTableName: pulumi.Output<string>;
    readonly sessionsTableArn: pulumi.Output<string>;
    readonly rateLimitTableName: pulumi.Output<string>;
    readonly rateLimitKeyTableName: pulumi.Output<string>;
    /** SSM parameter names of the secrets, by the api variable that carries them. */
    readonly secretParameterNames: Record<AppSecretEnvVar, pulumi.Output<string>>;
    readonly apiFunctionName: pulumi.Output<string>;
    readonly apiFunctionArn: pulumi.Output<string>;
    readonly proverDispatchFunctionName: pulumi.Output<string>;
    readonly proverDispatchFunctionArn: pulumi.Output<string>;
    readonly finalizeCallbackFunctionName: pulumi.Output<string>;
    readonly finalizeCallbackFunctionArn: pulumi.Output<string>;
    readonly accessLogGroupName: pulumi.Output<string>;
    /** Every log group this component creates (for observability checks). */
    readonly logGroupNames: pulumi.Output<string>[];

    constructor(name: string, args: AppApiArgs, opts?: pulumi.ComponentResourceOptions) {
        const dispatchConcurrency = args.dispatchConcurrency ?? APP_API_DEFAULTS.dispatchConcurrency;
        // Before super: a bad argument must fail before this component or any child is registered.
        validateAppApiSettings(name, {
            workQueueVisibilityTimeoutSeconds: args.workQueueVisibilityTimeoutSeconds ?? APP_API_DEFAULTS.workQueueVisibilityTimeoutSeconds,
            dispatchTimeoutSeconds: APP_API_DEFAULTS.dispatch.timeoutSeconds,
            dispatchConcurrency,
            dispatchReservedConcurrency: args.dispatchReservedConcurrency,
            apiThrottling: args.apiThrottling,
            finalizeCallbackFunctionName: args.finalizeCallbackFunctionName,
        });
        const buildProblems = applicationBuildArgProblems({ builds: args.applicationBuilds, hasDataApi: args.dataApi !== undefined, apiHandlerPath: args.apiHandlerPath });
        if (buildProblems.length > 0) {
            throw new Error(`AppApi ${name}: invalid arguments (${buildProblems.length}):\n${buildProblems.map((p) => `  - ${p}`).join("\n")}`);
        }
        super("stark:app:AppApi", name, {}, opts);
        const child = { parent: this };
        const env = args.environment;
        const scope = args.nameScope ?? env;
        const ctx = pulumi.output(args.awsContext);
        const protect = args.protectStatefulResources ?? false;
        const throttling = args.apiThrottling ?? APP_API_DEFAULTS.throttling;
        // Sessions and rate-limit history cannot be recreated, and a log group is the record of who
        // called what: in main neither Pulumi (protect) nor, for tables, a direct API call
        // (deletion protection) may delete them.
        const stateful = { parent: this, protect };

        // ---- Tables ----------------------------------------------------------------------------------
        const table = (role: string, tableName: string, schema: TableSchema) =>
            new aws.dynamodb.Table(
                `${name}-${role}-table`,
                {
                    name: tableName,
                    billingMode: "PAY_PER_REQUEST",
                    ...tableKeyArgs(schema),
                    pointInTimeRecovery: { enabled: true },
                    // The AWS-managed key (aws/dynamodb) instead of an AWS-owned one: its use shows in CloudTrail.
                    serverSideEncryption: { enabled: true },
                    deletionProtectionEnabled: protect,
                },
                stateful,
            );
        const sessions = table("sessions", appApiNames.sessionsTable(scope), SESSIONS_TABLE_SCHEMA);
        const rateLimit = table("rate-limit", appApiNames.rateLimitTable(scope), RATE_LIMIT_TABLE_SCHEMA);
        const rateLimitKeys = table("rate-limit-keys", appApiNames.rateLimitKeyTable(scope), RATE_LIMIT_KEY_TABLE_SCHEMA);

        // ---- Application secrets ---------------------------------------------------------------------
        const parameters = APP_SECRETS.map(
            (s) =>
                [
                    s.envVar,
                    new aws.ssm.Parameter(
                        `${name}-${s.parameter}`,
                        {
                            name: secretParameterName(scope, s.parameter),
                            description: `Application secret ${s.key} of ${scope} (read at run time by the api Lambda)`,
                            type: "SecureString",
                            // pulumi.secret: kept encrypted in the state even if a caller passed a plain Output.
                            value: pulumi.secret(args.secrets[s.key]),
                        },
                        child,
                    ),
                ] as const,
        );
        const secretParameterNames = Object.fromEntries(parameters.map(([envVar, p]) => [envVar, p.name])) as Record<AppSecretEnvVar, pulumi.Output<string>>;

        // ---- The application's own builds (optional) -------------------------------------------------
        const builds = args.applicationBuilds ?? {};
        const appEnvironment = (fn: ApplicationFunction, build: ApplicationBuild) =>
            applicationEnvironment(fn, build, {
                environment: env,
                region: ctx.region,
                dataApiEndpoint: pulumi.output(args.dataApi?.endpoint ?? ""),
                dataApiId: pulumi.output(args.dataApi?.apiId ?? ""),
                proofBucketName: pulumi.output(args.proofBucketName),
                proofPrefix: args.proofPrefix,
                stateMachineArn: pulumi.output(args.stateMachineArn),
                workQueueUrl: pulumi.output(args.workQueueUrl),
                rateLimitEventsTable: rateLimit.name,
                rateLimitCountersTable: rateLimitKeys.name,
                dispatchConcurrency,
                verifier: args.verifier === undefined ? undefined : { functionName: pulumi.output(args.verifier.functionName), imageId: args.verifier.imageId },
                proverImageParameter: pulumi.output(args.proverImageRecord.parameterName),
                // Names only: the wrapper reads the values from SSM before the application loads.
                secretParameters: pulumi
                    .all(APP_SECRETS.map((s) => parameters.find(([envVar]) => envVar === s.envVar)![1].name))
                    .apply(([sessionCapabilitySecret, voteEncryptionKey, captchaSecret]) => secretParametersVariable({ sessionCapabilitySecret, voteEncryptionKey, captchaSecret })),
            });
        /** The reference handler's policy, plus what the application's build needs when one runs. */
        const withApplication = (fn: ApplicationFunction, policy: pulumi.Output<PolicyDocument>): pulumi.Output<PolicyDocument> =>
            builds[fn] === undefined
                ? policy
                : pulumi
                      .all([policy, ctx, args.proofBucketName, args.workQueueArn, pulumi.output(args.dataApi!.callStatement), args.verifier?.functionArn])
                      .apply(([doc, c, bucketName, workQueueArn, callDataApi, verifierFunctionArn]) =>
                          policyDocument(
                              ...doc.Statement,
                              ...applicationPolicyStatements(fn, { ctx: c, bucketName, proofPrefix: args.proofPrefix, workQueueArn, callDataApi, verifierFunctionArn }),
                          ),
                      );

        // ---- prover-dispatch -------------------------------------------------------------------------
        const dispatch = new NodeFunction(
            `${name}-prover-dispatch`,
            {
                functionName: appApiNames.proverDispatchFunction(scope),
                ...(builds.proverDispatch === undefined
                    ? { entry: "lambdas/prover-dispatch/index.ts" }
                    : { code: applicationArchive(builds.proverDispatch, "applicationBuilds.proverDispatch") }),
                description: "Starts a prover execution for each work message",
                timeoutSeconds: APP_API_DEFAULTS.dispatch.timeoutSeconds,
                memorySize: APP_API_DEFAULTS.dispatch.memoryMb,
                // Only where configured: Lambda refuses a reservation that leaves the account's
                // unreserved pool below its minimum (new accounts often have a quota of 10).
                // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
                reservedConcurrency: args.dispatchReservedConcurrency,
                logRetentionDays: args.logRetentionDays,
                protectLogGroup: protect,
                awsContext: ctx,
                environment:
                    builds.proverDispatch === undefined
                        ? lambdaEnvironment("proverDispatch", {
                              STATE_MACHINE_ARN: args.stateMachineArn,
                              S3_PROOF_BUCKET: args.proofBucketName,
                              S3_PROOF_PREFIX: args.proofPrefix,
                              SESSIONS_TABLE: sessions.name,
                          })
                        : appEnvironment("proverDispatch", builds.proverDispatch),
                policy: withApplication("proverDispatch", pulumi
                    .all([ctx, args.proofBucketName, args.stateMachineArn, sessions.arn, args.workQueueArn])
                    .apply(([c, bucketName, stateMachineArn, sessionsTableArn, workQueueArn]) =>
                        proverDispatchPolicy({ ctx: c, bucketName, proofPrefix: args.proofPrefix, stateMachineArn, sessionsTableArn, workQueueArn }),
                    )),
            },
            child,
        );
        new aws.lambda.EventSourceMapping(
            `${name}-prover-dispatch-work-queue`,
            {
                eventSourceArn: args.workQueueArn,
                functionName: dispatch.functionArn,
                batchSize: APP_API_DEFAULTS.dispatchBatchSize,
                functionResponseTypes: ["ReportBatchItemFailures"],
                enabled: true,
                // Caps the dispatcher without a reservation; where one is configured it is at least
                // this (validated), so no message is throttled back to the queue (each throttle
                // counts toward the DLQ).
                // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html#events-sqs-max-concurrency
                scalingConfig: { maximumConcurrency: dispatchConcurrency },
            },
            child,
        );

        // ---- finalize-callback -----------------------------------------------------------------------
        const finalize = new NodeFunction(
            `${name}-finalize-callback`,
            {
                functionName: args.finalizeCallbackFunctionName,
                ...(builds.finalizeCallback === undefined
                    ? { entry: "lambdas/finalize-callback/index.ts" }
                    : { code: applicationArchive(builds.finalizeCallback, "applicationBuilds.finalizeCallback") }),
                description: "Writes a prover execution's terminal state to its session",
                timeoutSeconds: APP_API_DEFAULTS.finalizeCallback.timeoutSeconds,
                memorySize: APP_API_DEFAULTS.finalizeCallback.memoryMb,
                logRetentionDays: args.logRetentionDays,
                protectLogGroup: protect,
                awsContext: ctx,
                environment:
                    builds.finalizeCallback === undefined
                        ? lambdaEnvironment("finalizeCallback", {
                              SESSIONS_TABLE: sessions.name,
                              S3_PROOF_PREFIX: args.proofPrefix,
                              // The callback refuses events from executions of any other state machine.
                              STATE_MACHINE_ARN: args.stateMachineArn,
                          })
                        : appEnvironment("finalizeCallback", builds.finalizeCallback),
                policy: withApplication("finalizeCallback", sessions.arn.apply((sessionsTableArn) => finalizeCallbackPolicy({ sessionsTableArn }))),
            },
            child,
        );
        // Step Functions invokes with its execution role (whose policy names this function), not through
        // this grant. The grant records the function's one intended caller on the function itself,
        // scoped to this state machine and account (confused-deputy guard), so a reviewer of the
        // function's resource policy sees exactly who may call it (SPEC §4: "invoked only by the
        // state machine").
        new aws.lambda.Permission(
            `${name}-finalize-callback-invoke`,
            {
                action: "lambda:InvokeFunction",
                function: finalize.functionName,
                principal: "states.amazonaws.com",
                sourceArn: args.stateMachineArn,
                sourceAccount: ctx.accountId,
            },
            child,
        );

        // ---- api -------------------------------------------------------------------------------------
        const apiFunction = new NodeFunction(
            `${name}-api`,
            {
                functionName: appApiNames.apiFunction(scope),
                ...(builds.api !== undefined
                    ? { code: applicationArchive(builds.api, "applicationBuilds.api") }
                    : args.apiHandlerPath === undefined
                      ? { entry: "lambdas/api/index.ts" }
                      : { code: prebuiltArchive(args.apiHandlerPath) }),
                description: "The application's HTTP API handler",
                timeoutSeconds: APP_API_DEFAULTS.api.timeoutSeconds,
                memorySize: APP_API_DEFAULTS.api.memoryMb,
                logRetentionDays: args.logRetentionDays,
                protectLogGroup: protect,
                awsContext: ctx,
                environment:
                    builds.api !== undefined
                        ? appEnvironment("api", builds.api)
                        : lambdaEnvironment("api", {
                    ENV_NAME: env,
                    SESSIONS_TABLE: sessions.name,
                    RATE_LIMIT_TABLE: rateLimit.name,
                    RATE_LIMIT_KEY_TABLE: rateLimitKeys.name,
                    PROVER_WORK_QUEUE_URL: args.workQueueUrl,
                    PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: pulumi.output(args.workQueueMaxMessageBytes).apply(String),
                    PROVER_STATE_MACHINE_ARN: args.stateMachineArn,
                    S3_PROOF_BUCKET: args.proofBucketName,
                    S3_PROOF_PREFIX: args.proofPrefix,
                    PROOFS_PER_HOUR: String(args.proofBudget?.perHour ?? APP_API_DEFAULTS.proofBudget.perHour),
                    PROOFS_PER_DAY: String(args.proofBudget?.perDay ?? APP_API_DEFAULTS.proofBudget.perDay),
                    // Names only: the handler reads the values from SSM at run time.
                    ...secretParameterNames,
                    SESSION_CAPABILITY_TTL_SECONDS: String(args.sessionCapabilityTtlSeconds ?? APP_API_DEFAULTS.sessionCapabilityTtlSeconds),
                    ALLOW_REPROVING: String(args.allowReproving ?? false),
                    PROVER_IMAGE_PARAMETER: args.proverImageRecord.parameterName,
                }),
                policy: withApplication("api", pulumi
                    .all([
                        ctx,
                        args.proofBucketName,
                        args.workQueueArn,
                        args.stateMachineName,
                        pulumi.all([sessions.arn, rateLimit.arn, rateLimitKeys.arn]),
                        pulumi.all(parameters.map(([, p]) => p.arn)),
                        args.proverImageRecord.parameterArn,
                    ])
                    .apply(([c, bucketName, workQueueArn, stateMachineName, tableArns, secretParameterArns, imageParameterArn]) =>
                        apiPolicy({
                            ctx: c,
                            bucketName,
                            proofPrefix: args.proofPrefix,
                            workQueueArn,
                            stateMachineName,
                            tableArns,
                            secretParameterArns,
                            imageParameterArn,
                            // An application build calls more than lambdas/api (StopExecution, rate-limit events).
                            applicationBuild: builds.api !== undefined || args.apiHandlerPath !== undefined,
                        }),
                    )),
            },
            child,
        );

        // ---- HTTP API --------------------------------------------------------------------------------
        const apiName = appApiNames.httpApi(scope);
        const httpApi = new aws.apigatewayv2.Api(
            `${name}-http-api`,
            {
                name: apiName,
                protocolType: "HTTP",
                description: `STARK Ballot Simulator API (${scope})`,
                corsConfiguration:
                    args.webOrigins === undefined
                        ? apiCorsConfiguration(args.apiCorsOrigins ?? [])
                        : pulumi
                              .output(args.webOrigins)
                              .apply((web) => apiCorsConfiguration(combinedCorsOrigins(args.apiCorsOrigins ?? [], web)) as ApiCorsConfiguration),
            },
            child,
        );
        const integration = new aws.apigatewayv2.Integration(
            `${name}-api-integration`,
            {
                apiId: httpApi.id,
                integrationType: "AWS_PROXY",
                integrationMethod: "POST",
                integrationUri: apiFunction.functionArn,
                payloadFormatVersion: APP_API_DEFAULTS.payloadFormatVersion,
                timeoutMilliseconds: APP_API_DEFAULTS.integrationTimeoutMilliseconds,
            },
            child,
        );
        for (const routeKey of API_ROUTE_KEYS) {
            new aws.apigatewayv2.Route(
                `${name}-route-${routeResourceSuffix(routeKey)}`,
                {
                    apiId: httpApi.id,
                    routeKey,
                    target: pulumi.interpolate`integrations/${integration.id}`,
                    // Public by design: the handler authenticates with session capabilities.
                    authorizationType: "NONE",
                },
                child,
            );
        }
        new aws.lambda.Permission(
            `${name}-api-invoke`,
            {
                action: "lambda:InvokeFunction",
                function: apiFunction.functionName,
                principal: "apigateway.amazonaws.com",
                // Any stage, method and path of this API, and of no other.
                sourceArn: pulumi.interpolate`${httpApi.executionArn}/*/*`,
            },
            child,
        );

        const accessLogs = retainedLogGroup(`${name}-api-access-logs`, logGroupNames.apiAccess(apiName), args.logRetentionDays, stateful);
        const stage = new aws.apigatewayv2.Stage(
            `${name}-api-stage`,
            {
                apiId: httpApi.id,
                name: APP_API_DEFAULTS.stageName,
                autoDeploy: true,
                accessLogSettings: { destinationArn: accessLogs.arn, format: accessLogFormat() },
                defaultRouteSettings: { throttlingBurstLimit: throttling.burstLimit, throttlingRateLimit: throttling.rateLimit },
            },
            child,
        );

        let apiUrl = pulumi.all([httpApi.apiEndpoint, stage.id]).apply(([endpoint]) => endpoint);
        let customDomainTarget: pulumi.Output<string> | undefined;
        if (args.customDomain) {
            const domain = new aws.apigatewayv2.DomainName(
                `${name}-api-domain`,
                {
                    domainName: args.customDomain.domainName,
                    domainNameConfiguration: {
                        certificateArn: args.customDomain.certificateArn,
                        endpointType: "REGIONAL",
                        securityPolicy: APP_API_DEFAULTS.tlsSecurityPolicy,
                    },
                },
                child,
            );
            const mapping = new aws.apigatewayv2.ApiMapping(
                `${name}-api-domain-mapping`,
                { apiId: httpApi.id, domainName: domain.id, stage: stage.id },
                child,
            );
            // Published once the mapping exists, so the URL answers as soon as DNS points at the target.
            apiUrl = pulumi.interpolate`https://${mapping.domainName}`;
            customDomainTarget = domain.domainNameConfiguration.targetDomainName;
        }

        this.apiUrl = apiUrl;
        this.apiId = httpApi.id;
        this.apiEndpoint = httpApi.apiEndpoint;
        this.apiExecutionArn = httpApi.executionArn;
        this.apiStageName = stage.name;
        this.customDomainTarget = customDomainTarget;
        this.sessionsTableName = sessions.name;
        this.sessionsTableArn = sessions.arn;
        this.rateLimitTableName = rateLimit.name;
        this.rateLimitKeyTableName = rateLimitKeys.name;
        this.secretParameterNames = secretParameterNames;
        this.apiFunctionName = apiFunction.functionName;
        this.apiFunctionArn = apiFunction.functionArn;
        this.proverDispatchFunctionName = dispatch.functionName;
        this.proverDispatchFunctionArn = dispatch.functionArn;
        this.finalizeCallbackFunctionName = finalize.functionName;
        this.finalizeCallbackFunctionArn = finalize.functionArn;
        this.accessLogGroupName = accessLogs.name;
        this.logGroupNames = [accessLogs.name, dispatch.logGroupName, finalize.logGroupName, apiFunction.logGroupName];
        this.registerOutputs({
            apiUrl: this.apiUrl,
            apiId: this.apiId,
            apiEndpoint: this.apiEndpoint,
            apiExecutionArn: this.apiExecutionArn,
            apiStageName: this.apiStageName,
            customDomainTarget: this.customDomainTarget,
            sessionsTableName: this.sessionsTableName,
            sessionsTableArn: this.sessionsTableArn,
            rateLimitTableName: this.rateLimitTableName,
            rateLimitKeyTableName: this.rateLimitKeyTableName,
            secretParameterNames: this.secretParameterNames,
            apiFunctionName: this.apiFunctionName,
            apiFunctionArn: this.apiFunctionArn,
            proverDispatchFunctionName: this.proverDispatchFunctionName,
            proverDispatchFunctionArn: this.proverDispatchFunctionArn,
            finalizeCallbackFunctionName: this.finalizeCallbackFunctionName,
            finalizeCallbackFunctionArn: this.finalizeCallbackFunctionArn,
            accessLogGroupName: this.accessLogGroupName,
            logGroupNames: this.logGroupNames,
        });
    }
}
