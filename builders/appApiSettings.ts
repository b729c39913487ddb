/**
 * Secure defaults and settings documents of the app layer (SPEC §4 AppApi), in one place: function
 * sizes, the HTTP API's routes, CORS and access-log format, table and parameter names, and the
 * validation the component runs before it creates anything.
 *
 * Pure: no Pulumi imports, so every rule is tested with plain values.
 */
import { LAMBDA_ENV } from "../lambdas/shared/contracts";
import type { TableSchema } from "../lambdas/shared/tables";
import { PROJECT_NAME, physicalName } from "./names";
import { PIPELINE_DEFAULTS } from "./proverPipelineSettings";

export const APP_API_DEFAULTS = {
    /** Sizes (parity). */
    dispatch: { timeoutSeconds: 30, memoryMb: 512 },
    finalizeCallback: { timeoutSeconds: 60, memoryMb: 512 },
    api: { timeoutSeconds: 60, memoryMb: 1024 },
    /** Global budget of proofs admitted per UTC hour and day (SPEC §7; README: Admission control). */
    proofBudget: { perHour: 30, perDay: 60 },
    /** A session capability lives one day from its issue time: a classroom session, not a year (bounds: SESSION_CAPABILITY_TTL_BOUNDS). */
    sessionCapabilityTtlSeconds: 86400,
    /** The work queue's own setting; the component checks it against the dispatch timeout. */
    workQueueVisibilityTimeoutSeconds: PIPELINE_DEFAULTS.workQueueVisibilityTimeoutSeconds,
    /**
     * AWS advises a visibility timeout of at least six times the function timeout for an SQS event
     * source, so a message whose invocation is retried or throttled does not reappear while the
     * first attempt still runs.
     * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-queueconfig
     */
    visibilityTimeoutFactor: 6,
    /** Maximum concurrency of the prover-dispatch event source mapping (parity value 2). */
    dispatchConcurrency: 2,
    /** One message per invocation (parity): a failure never drags other sessions' work with it. */
    dispatchBatchSize: 1,
    /**
     * The smallest maximum concurrency an SQS event source mapping accepts ("Minimum value of 2").
     * https://docs.aws.amazon.com/lambda/latest/dg/API_ScalingConfig.html
     */
    minimumEventSourceConcurrency: 2,
    /** HTTP APIs cut every integration off at 30 s, whatever the function's own (60 s) timeout. */
    integrationTimeoutMilliseconds: 30000,
    stageName: "$default",
    payloadFormatVersion: "2.0",
    tlsSecurityPolicy: "TLS_1_2",
    /**
     * Stage throttling when none is configured: every stage must throttle (policy
     * `apigateway-stage-throttling`), and an unthrottled public API lets one client run up the
     * Lambda and DynamoDB bill. These are the committed main stack's values: ample for the
     * application's traffic, far below the account's 10,000 requests per second.
     */
    throttling: { burstLimit: 50, rateLimit: 20 },
    /**
     * Browsers cache a preflight answer this long (Chromium caps it at 2 hours); ten minutes spares
     * most preflights while a changed origin list still takes effect quickly.
     */
    corsMaxAgeSeconds: 600,
} as const;

/**
 * Routes of the HTTP API, all to the api Lambda (parity). The `ANY` routes already match OPTIONS;
 * the explicit OPTIONS routes are kept from the earlier route table because they decide where an
 * OPTIONS request goes whenever API Gateway does not answer it itself: with CORS configured, API
 * Gateway answers preflights (OPTIONS with `Origin` and `Access-Control-Request-Method`) before any
 * route matches, so only other OPTIONS requests reach the function; with no origins configured
 * there is no CORS configuration and the function answers every OPTIONS request (normally by
 * refusing cross-origin use). Either way the handler, not a gap in the route table, decides.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */
export const API_ROUTE_KEYS = ["ANY /api", "ANY /api/{proxy+}", "OPTIONS /api", "OPTIONS /api/{proxy+}"] as const;

/** Child resource suffix of a route, derived from its key so reordering routes replaces nothing. */
export function routeResourceSuffix(routeKey: string): string {
    return routeKey
        .toLowerCase()
        .replace(/[{}+]/g, "")
        .split(/[^a-z0-9]+/)
        .filter((part) => part !== "")
        .join("-");
}

/** Request headers the browser may send (parity). */
export const API_CORS_ALLOW_HEADERS = ["Content-Type", "X-Session-ID", "X-Session-Capability", "Range"] as const;
/** Response headers scripts may read (parity): ranged bundle downloads. */
export const API_CORS_EXPOSE_HEADERS = ["Content-Range", "Accept-Ranges", "X-Stark-Bundle-Range-Chunk-Size"] as const;
/**
 * The routes are `ANY`, so every method the handler may serve is allowed; CORS is not what
 * authorizes a request (the handler checks session capabilities), it only lets a browser show the
 * answer to a script of an allowed origin.
 */
export const API_CORS_ALLOW_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export interface ApiCorsConfiguration {
    allowOrigins: string[];
    allowHeaders: string[];
    exposeHeaders: string[];
    allowMethods: string[];
    maxAge: number;
    allowCredentials: boolean;
}

/**
 * CORS of the HTTP API, or none when no origin is configured (no browser on another origin may
 * then read a response; same-origin and server-side callers are unaffected). Credentials stay off:
 * the API authenticates with headers, never cookies.
 */
export function apiCorsConfiguration(origins: readonly string[]): ApiCorsConfiguration | undefined {
    if (origins.length === 0) return undefined;
    return {
        allowOrigins: [...origins],
        allowHeaders: [...API_CORS_ALLOW_HEADERS],
        exposeHeaders: [...API_CORS_EXPOSE_HEADERS],
        allowMethods: [...API_CORS_ALLOW_METHODS],
        maxAge: APP_API_DEFAULTS.corsMaxAgeSeconds,
        allowCredentials: false,
    };
}

/**
 * Access-log fields (parity): one JSON object per request.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
export const ACCESS_LOG_FIELDS = {
    requestId: "$context.requestId",
    sourceIp: "$context.identity.sourceIp",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    routeKey: "$context.routeKey",
    status: "$context.status",
    responseLength: "$context.responseLength",
    integrationErrorMessage: "$context.integrationErrorMessage",
    userAgent: "$context.identity.userAgent",
} as const;

export function accessLogFormat(): string {
    return JSON.stringify(ACCESS_LOG_FIELDS);
}

/** Physical names of the app layer (`stark-ballot-simulator-<role>-<env>`, parity). */
export const appApiNames = {
    httpApi: (env: string) => physicalName("api", env),
    sessionsTable: (env: string) => physicalName("sessions", env),
    rateLimitTable: (env: string) => physicalName("rate-limit", env),
    rateLimitKeyTable: (env: string) => physicalName("rate-limit-keys", env),
    proverDispatchFunction: (env: string) => physicalName("prover-dispatch", env),
    apiFunction: (env: string) => physicalName("api", env),
};

/**
 * The application secrets: the config key each comes from, the SSM parameter that stores it and the
 * api Lambda variable that carries the parameter's name (never its value).
 */
export const APP_SECRETS = [
    { key: "sessionCapabilitySecret", parameter: "session-capability-secret", envVar: "SECRET_PARAMETER_SESSION_CAPABILITY" },
    { key: "voteEncryptionKey", parameter: "vote-encryption-key", envVar: "SECRET_PARAMETER_VOTE_ENCRYPTION_KEY" },
    { key: "captchaSecret", parameter: "captcha-secret", envVar: "SECRET_PARAMETER_CAPTCHA" },
] as const;
export type AppSecretKey = (typeof APP_SECRETS)[number]["key"];
export type AppSecretEnvVar = (typeof APP_SECRETS)[number]["envVar"];

/** `/stark-ballot-simulator/<env>/<parameter>`: a path per environment, so IAM can be scoped to it. */
export function secretParameterName(environment: string, parameter: string): string {
    return `/${PROJECT_NAME}/${environment}/${parameter}`;
}

/** Key attributes, keys and TTL of a DynamoDB table, from the schema the handlers use. */
export function tableKeyArgs(schema: TableSchema) {
    const keys = [schema.hashKey, ...(schema.rangeKey ? [schema.rangeKey] : [])];
    return {
        hashKey: schema.hashKey.name,
        rangeKey: schema.rangeKey?.name,
        attributes: keys.map((k) => ({ name: k.name, type: k.type })),
        ttl: schema.ttlAttribute === undefined ? undefined : { attributeName: schema.ttlAttribute, enabled: true },
    };
}

type LambdaEnvRole = keyof typeof LAMBDA_ENV;
export type LambdaEnvValues<R extends LambdaEnvRole, V> = Record<(typeof LAMBDA_ENV)[R][number], V>;

/**
 * A function's environment with exactly the variables its handler reads (LAMBDA_ENV): the type
 * rejects a missing or misspelled key at compile time, the check an extra one at run time.
 */
export function lambdaEnvironment<R extends LambdaEnvRole, V>(role: R, values: LambdaEnvValues<R, V>): Record<string, V> {
    const expected: readonly string[] = LAMBDA_ENV[role];
    const given = Object.keys(values);
    const extra = given.filter((k) => !expected.includes(k));
    const missing = expected.filter((k) => !given.includes(k));
    if (extra.length > 0 || missing.length > 0) {
        throw new Error(`environment of ${role}: must be exactly ${expected.join(", ")} (extra: ${extra.join(", ") || "none"}; missing: ${missing.join(", ") || "none"})`);
    }
    return { ...values };
}

/** The plain values that decide how the app layer is built; checked before anything is created. */
export interface AppApiSettingsToCheck {
    workQueueVisibilityTimeoutSeconds: number;
    dispatchTimeoutSeconds: number;
    dispatchConcurrency: number;
    /** Reserved concurrency of prover-dispatch; undefined: none (opt-in). */
    dispatchReservedConcurrency?: number;
    apiThrottling?: { burstLimit: number; rateLimit: number };
    finalizeCallbackFunctionName: string;
}

/** Every problem of the settings at once, each naming the argument and the rule. */
export function appApiSettingsProblems(s: AppApiSettingsToCheck): string[] {
    const problems: string[] = [];
    const factor = APP_API_DEFAULTS.visibilityTimeoutFactor;
    if (s.workQueueVisibilityTimeoutSeconds < factor * s.dispatchTimeoutSeconds) {
        problems.push(
            `workQueueVisibilityTimeoutSeconds: ${s.workQueueVisibilityTimeoutSeconds} s must be at least ${factor} times the prover-dispatch timeout (${factor * s.dispatchTimeoutSeconds} s)`,
        );
    }
    const minimum = APP_API_DEFAULTS.minimumEventSourceConcurrency;
    if (!Number.isInteger(s.dispatchConcurrency) || s.dispatchConcurrency < minimum) {
        problems.push(
            `dispatchConcurrency: ${s.dispatchConcurrency} must be an integer of at least ${minimum}: it is the SQS event source's maximum concurrency, which accepts ${minimum} at the least`,
        );
    }
    const reserved = s.dispatchReservedConcurrency;
    if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 1 || reserved < s.dispatchConcurrency)) {
        // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html: a maximum
        // concurrency above the reservation only throttles, and throttled messages count as receives.
        problems.push(
            `dispatchReservedConcurrency: ${reserved} must be a positive integer of at least dispatchConcurrency (${s.dispatchConcurrency}), or unset: a reservation below the event source's maximum concurrency throttles the poller and throttled messages reach the DLQ after 3 receives`,
        );
    }
    if (s.apiThrottling !== undefined) {
        if (!Number.isInteger(s.apiThrottling.burstLimit) || s.apiThrottling.burstLimit <= 0) {
            problems.push(`apiThrottling.burstLimit: ${s.apiThrottling.burstLimit} must be a positive integer`);
        }
        if (!(s.apiThrottling.rateLimit > 0)) {
            problems.push(`apiThrottling.rateLimit: ${s.apiThrottling.rateLimit} must be greater than 0`);
        }
    }
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(s.finalizeCallbackFunctionName)) {
        problems.push(`finalizeCallbackFunctionName: "${s.finalizeCallbackFunctionName}" is not a Lambda function name (1-64 letters, digits, "-" or "_")`);
    }
    return problems;
}
