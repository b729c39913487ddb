/**
 * The typed, validated settings of one stack, parsed from its raw Pulumi configuration.
 *
 * Pure: no Pulumi imports, so every rule is tested with plain objects. `parseStackConfig` collects
 * every problem and throws one `StackConfigError` listing them all, each naming the key and the rule,
 * before the program registers any resource.
 */
import { ENVIRONMENT_NAMES, ENVIRONMENT_PROFILES, EnvironmentName, EnvironmentProfile } from "./environments";
import { PROJECT_NAME, nameScopeProblem } from "../builders/names";
import { maxSlotWaitSeconds, queueWaitBoundSeconds } from "../builders/proofSlots";
import { PIPELINE_DEFAULTS } from "../builders/proverPipelineSettings";
import { APP_API_DEFAULTS } from "../builders/appApiSettings";
import { ApplicationBuilds, applicationBuildsProblems, toApplicationBuilds } from "../builders/applicationBuilds";
import { HOSTING_TOKEN_KEY, WebHostingSettings, toWebHosting, webHostingProblems } from "../builders/webHosting";
import { VerifierConfig, verifierConfigProblems } from "../builders/verifierSettings";
import {
    ACCOUNT_ID,
    ACM_CERTIFICATE_ARN,
    AWS_REGION,
    DOMAIN_NAME,
    ECR_DIGEST_URI,
    EMAIL,
    PROOF_PREFIX,
    fargateSizeProblem,
    integerProblem,
    isPlainObject,
    originProblem,
} from "./rules";

/** Config keys of this project (namespace `stark-ballot-simulator:`), documented in Pulumi.yaml. */
export const CONFIG_KEYS = [
    "environment",
    "deployerRoleArnPattern",
    "proverImage",
    "proverTask",
    "proofPrefix",
    "proofBucketName",
    "bundleCorsOrigins",
    "apiCorsOrigins",
    "apiThrottling",
    "customDomain",
    "dispatchConcurrency",
    "dispatchReservedConcurrency",
    "alarmEmails",
    "networkMode",
    "apiHandlerPath",
    "applicationBuilds",
    "sessionCapabilityTtlSeconds",
    "allowReproving",
    "hosting",
    "verifier",
    "allowHighScanFindings",
    "maxConcurrentProofs",
    "proofsPerHour",
    "proofsPerDay",
] as const;

/** Application secrets: set with `pulumi config set --secret`, stored as SSM SecureString parameters. */
export const SECRET_CONFIG_KEYS = ["sessionCapabilitySecret", "voteEncryptionKey", "captchaSecret"] as const;
export type SecretConfigKey = (typeof SECRET_CONFIG_KEYS)[number];
/** Secrets required only with another key: the GitHub token when `hosting` is set. */
export const OPTIONAL_SECRET_CONFIG_KEYS = [HOSTING_TOKEN_KEY] as const;
export type OptionalSecretConfigKey = (typeof OPTIONAL_SECRET_CONFIG_KEYS)[number];

export const DEFAULT_REGION = "ap-northeast-1";
export const DEFAULT_PROOF_PREFIX = "sessions/";
export const DEFAULT_PROVER_CPU = 16384;
export const DEFAULT_PROVER_MEMORY = 32768;
export const DEFAULT_HOST_TIMEOUT_SECONDS = 900;
export const DEFAULT_DISPATCH_CONCURRENCY = 2;
/** Admission control (SPEC §7): prover tasks at once, and proofs the API admits per UTC hour and day. */
export const DEFAULT_MAX_CONCURRENT_PROOFS = PIPELINE_DEFAULTS.maxConcurrentProofs;
export const DEFAULT_PROOFS_PER_HOUR = APP_API_DEFAULTS.proofBudget.perHour;
export const DEFAULT_PROOFS_PER_DAY = APP_API_DEFAULTS.proofBudget.perDay;
/** A session capability lives one day from its issue time (a classroom session); 15 minutes to 30 days allowed. */
export const DEFAULT_SESSION_CAPABILITY_TTL_SECONDS = APP_API_DEFAULTS.sessionCapabilityTtlSeconds;
export const PROVER_PLATFORM = "linux/arm64";
/** Repositories the bootstrap stack's signing rule covers (its filter is this prefix and `*`). */
export const SIGNED_REPOSITORY_PREFIX = `${PROJECT_NAME}-prover-`;
export const REQUIRED_DEFAULT_TAGS = ["Project", "Environment", "ManagedBy"] as const;

/** Raw values as Pulumi hands them over: strings, structured values already JSON-decoded. */
export interface RawStackConfig {
    /** The stack name (for messages and outputs). */
    stack: string;
    /** Project keys without namespace, e.g. `environment`. */
    project: Record<string, unknown>;
    /** `aws:` keys without namespace, e.g. `region`, `allowedAccountIds`, `defaultTags`. */
    aws: Record<string, unknown>;
    /**
     * Which of SECRET_CONFIG_KEYS are set as secrets (their values never pass through this module;
     * a secret key set in plain text appears in `project` instead and is rejected).
     */
    secretsPresent: readonly string[];
}

export type ProverImageSource =
    | {
          kind: "prebuilt";
          /** `<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<hex>` */
          uri: string;
          registryAccountId: string;
          registryRegion: string;
          repositoryName: string;
          digest: string;
      }
    | {
          kind: "build";
          /** Docker build context, relative to the project directory. */
          context: string;
          /** Dockerfile path, relative to the project directory. */
          dockerfile: string;
          buildArgs: Readonly<Record<string, string>>;
          platform: typeof PROVER_PLATFORM;
      };

export interface StackSettings {
    readonly stack: string;
    /**
     * Suffix of every physical name (builders/names.ts): the stack name, which for the committed
     * stacks `develop` and `main` is their environment, so two stacks of one account never share a name.
     */
    readonly nameScope: string;
    readonly environment: EnvironmentName;
    readonly profile: EnvironmentProfile;
    readonly region: string;
    readonly accountId: string;
    readonly defaultTags: Readonly<Record<string, string>>;
    readonly deployerRoleArnPattern?: string;
    readonly proverImage: ProverImageSource;
    readonly proverTask: {
        readonly cpu: number;
        readonly memory: number;
        readonly architecture: "ARM64";
        readonly hostTimeoutSeconds: number;
        readonly useFargateSpot: boolean;
    };
    readonly proofPrefix: string;
    readonly proofBucketName?: string;
    readonly bundleCorsOrigins: readonly string[];
    readonly apiCorsOrigins: readonly string[];
    readonly apiThrottling?: { readonly burstLimit: number; readonly rateLimit: number };
    readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
    /** The event source mapping's maximumConcurrency (how many dispatches run at once). */
    readonly dispatchConcurrency: number;
    /** Reserved concurrency of the dispatch Lambda; undefined = none (opt-in, see parseReservedConcurrency). */
    readonly dispatchReservedConcurrency?: number;
    readonly alarmEmails: readonly string[];
    readonly networkMode: "public" | "private";
    readonly apiHandlerPath?: string;
    /** The application's own Lambda builds, per function (default: none, the reference handlers run). */
    readonly applicationBuilds?: ApplicationBuilds;
    /** Lifetime of a session capability from its issue time. */
    readonly sessionCapabilityTtlSeconds: number;
    /** Whether a succeeded session may be proven again (the earlier bundle stays listed). */
    readonly allowReproving: boolean;
    /** Amplify Hosting of the web app (default: none); its token is the secret `hostingAccessToken`. */
    readonly hosting?: WebHostingSettings;
    /** Server-side proof verification after every proof; undefined = no verification step. */
    readonly verifier?: VerifierConfig;
    /** The image gate lets images with HIGH scan findings run (CRITICAL never). Default false. */
    readonly allowHighScanFindings: boolean;
    /** Prover tasks running at once; the rest wait for a slot. */
    readonly maxConcurrentProofs: number;
    /** Global budget: proofs the API admits per UTC hour and per UTC day (429 beyond). */
    readonly proofBudget: { readonly perHour: number; readonly perDay: number };
}

export class StackConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: readonly string[],
    ) {
        super(
            `Invalid configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "StackConfigError";
    }
}

/** Collects problems keyed by their config key, e.g. `stark-ballot-simulator:proverTask.cpu`. */
class Problems {
    readonly list: string[] = [];
    add(key: string, rule: string): void {
        this.list.push(`${key}: ${rule}`);
    }
}

const P = (key: string) => `${PROJECT_NAME}:${key}`;

export function parseStackConfig(raw: RawStackConfig): StackSettings {
    const problems = new Problems();
    const cfg = raw.project;

    const unknownKeys = Object.keys(cfg).filter(
        (k) =>
            !(CONFIG_KEYS as readonly string[]).includes(k) &&
            !(SECRET_CONFIG_KEYS as readonly string[]).includes(k) &&
            !(OPTIONAL_SECRET_CONFIG_KEYS as readonly string[]).includes(k),
    );
    for (const k of unknownKeys) problems.add(P(k), `unknown key (known keys: ${CONFIG_KEYS.join(", ")})`);

    const environment = parseEnvironment(cfg.environment, problems);
    const scopeProblem = environment ? nameScopeProblem(raw.stack, environment) : undefined;
    if (scopeProblem) problems.add(`stack "${raw.stack}"`, scopeProblem);
    const profile = environment ? ENVIRONMENT_PROFILES[environment] : ENVIRONMENT_PROFILES.develop;
    const aws = parseAws(raw.aws, environment, problems);

    for (const key of SECRET_CONFIG_KEYS) {
        if (cfg[key] !== undefined) {
            problems.add(P(key), `is stored in plain text: set it with pulumi config set --secret ${key} <value>`);
        } else if (!raw.secretsPresent.includes(key)) {
            problems.add(P(key), `required secret is not set (pulumi config set --secret ${key} <value>)`);
        }
    }

    const deployerRoleArnPattern = optionalString(cfg.deployerRoleArnPattern, "deployerRoleArnPattern", problems);
    if (deployerRoleArnPattern !== undefined && !/^arn:aws[a-z-]*:(iam|sts)::(\d{12}|\*):[\w+=,.@\/*?-]+$/.test(deployerRoleArnPattern)) {
        problems.add(P("deployerRoleArnPattern"), "must be an IAM/STS ARN pattern such as arn:aws:sts::123456789012:assumed-role/deployer/*");
    }

    const proverImage = parseProverImage(cfg.proverImage, problems);
    if (proverImage?.kind === "prebuilt" && aws) foreignImageProblems(proverImage, aws, problems);
    const proverTask = parseProverTask(cfg.proverTask, profile, environment, problems);

    const proofPrefix = optionalString(cfg.proofPrefix, "proofPrefix", problems) ?? DEFAULT_PROOF_PREFIX;
    if (!PROOF_PREFIX.test(proofPrefix)) {
        problems.add(P("proofPrefix"), `"${proofPrefix}" must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty segments)`);
    }

    const proofBucketName = optionalString(cfg.proofBucketName, "proofBucketName", problems);
    if (proofBucketName !== undefined && !/^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(proofBucketName)) {
        problems.add(P("proofBucketName"), `"${proofBucketName}" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)`);
    }

    const bundleCorsOrigins = parseOrigins(cfg.bundleCorsOrigins, "bundleCorsOrigins", problems);
    const apiCorsOrigins = parseOrigins(cfg.apiCorsOrigins, "apiCorsOrigins", problems);
    if (environment === "main") {
        // Production must say which browsers may read bundles and call the API: left out, both
        // silently refuse every browser. An explicit [] states that no browser client exists.
        for (const key of ["bundleCorsOrigins", "apiCorsOrigins"] as const) {
            if (cfg[key] === undefined) {
                problems.add(P(key), "required in main: the application's browser origins (such as https://app.example.com), or [] to state that no browser calls the API");
            }
        }
    }
    const apiThrottling = parseThrottling(cfg.apiThrottling, problems);
    const customDomain = parseCustomDomain(cfg.customDomain, problems);

    let dispatchConcurrency = DEFAULT_DISPATCH_CONCURRENCY;
    if (cfg.dispatchConcurrency !== undefined) {
        // The SQS event source's maximumConcurrency: "Minimum value of 2. Maximum value of 1000."
        // https://docs.aws.amazon.com/lambda/latest/dg/API_ScalingConfig.html (this project caps it at 100)
        const problem = integerProblem(cfg.dispatchConcurrency, 2, 100);
        if (problem) problems.add(P("dispatchConcurrency"), problem);
        else dispatchConcurrency = cfg.dispatchConcurrency as number;
    }
    const dispatchReservedConcurrency = parseReservedConcurrency(cfg.dispatchReservedConcurrency, dispatchConcurrency, problems);

    const alarmEmails = parseStringList(cfg.alarmEmails, "alarmEmails", problems);
    alarmEmails.forEach((email, i) => {
        if (!EMAIL.test(email)) problems.add(P(`alarmEmails[${i}]`), `"${email}" is not an e-mail address`);
    });

    const networkMode = cfg.networkMode ?? "public";
    if (networkMode !== "public" && networkMode !== "private") {
        problems.add(P("networkMode"), `must be "public" or "private", got ${JSON.stringify(networkMode)}`);
    }

    const apiHandlerPath = optionalString(cfg.apiHandlerPath, "apiHandlerPath", problems);
    const buildProblems = applicationBuildsProblems(cfg.applicationBuilds, P("applicationBuilds"));
    for (const problem of buildProblems) problems.list.push(problem);
    if (apiHandlerPath !== undefined && isPlainObject(cfg.applicationBuilds) && cfg.applicationBuilds.api !== undefined) {
        problems.add(P("applicationBuilds.api"), "set either apiHandlerPath or applicationBuilds.api, not both (both name the api function's code)");
    }
    if (cfg.verifier === undefined && isPlainObject(cfg.applicationBuilds) && cfg.applicationBuilds.verifierRunner !== undefined) {
        // The application's verifier-service-runner runs the binary of the verifier step's layer.
        problems.add(P("applicationBuilds.verifierRunner"), "requires the verifier step: set verifier {layer, architecture, imageId} as well");
    }
    if (proofPrefix === "" && isPlainObject(cfg.applicationBuilds) && cfg.applicationBuilds.verifierRunner !== undefined) {
        // Its S3 settings read `S3_PROOF_PREFIX || 'sessions/'` (the application's src/lib/aws/s3-client.ts,
        // getS3Config): with an empty prefix it would publish its report where the session does not link it.
        problems.add(P("applicationBuilds.verifierRunner"), 'requires a non-empty proofPrefix: the application\'s runner replaces "" with "sessions/"');
    }
    const applicationBuilds = buildProblems.length === 0 ? toApplicationBuilds(cfg.applicationBuilds) : undefined;
    const hostingProblems = webHostingProblems(cfg.hosting, P("hosting"));
    for (const problem of hostingProblems) problems.list.push(problem);
    if (cfg[HOSTING_TOKEN_KEY] !== undefined) {
        problems.add(P(HOSTING_TOKEN_KEY), `is stored in plain text: set it with pulumi config set --secret ${HOSTING_TOKEN_KEY} <GitHub token>`);
    } else if (cfg.hosting !== undefined && !raw.secretsPresent.includes(HOSTING_TOKEN_KEY)) {
        problems.add(P(HOSTING_TOKEN_KEY), `required with hosting: a GitHub personal access token for the Amplify GitHub App (pulumi config set --secret ${HOSTING_TOKEN_KEY} <token>)`);
    } else if (cfg.hosting === undefined && raw.secretsPresent.includes(HOSTING_TOKEN_KEY)) {
        problems.add(P(HOSTING_TOKEN_KEY), "is set but hosting is not: set hosting or remove the token (pulumi config rm hostingAccessToken)");
    }
    const hosting = hostingProblems.length === 0 && environment ? toWebHosting(cfg.hosting, environment) : undefined;
    const verifierProblems = verifierConfigProblems(cfg.verifier, P("verifier"));
    problems.list.push(...verifierProblems);
    const verifier = cfg.verifier === undefined || verifierProblems.length > 0 ? undefined : ({ ...(cfg.verifier as VerifierConfig) } as VerifierConfig);
    const admission = parseAdmission(cfg, proverTask?.hostTimeoutSeconds ?? DEFAULT_HOST_TIMEOUT_SECONDS, problems);

    let sessionCapabilityTtlSeconds: number = DEFAULT_SESSION_CAPABILITY_TTL_SECONDS;
    if (cfg.sessionCapabilityTtlSeconds !== undefined) {
        // At least a proof's 15 minutes (a shorter token expires under a running proof), at most 30 days.
        const problem = integerProblem(cfg.sessionCapabilityTtlSeconds, 900, 2592000);
        if (problem) problems.add(P("sessionCapabilityTtlSeconds"), problem);
        else sessionCapabilityTtlSeconds = cfg.sessionCapabilityTtlSeconds as number;
    }
    const allowReproving = cfg.allowReproving ?? false;
    if (typeof allowReproving !== "boolean") {
        problems.add(P("allowReproving"), "must be true or false");
    }
    const allowHighScanFindings = cfg.allowHighScanFindings ?? false;
    if (typeof allowHighScanFindings !== "boolean") {
        problems.add(P("allowHighScanFindings"), `must be true or false, got ${JSON.stringify(allowHighScanFindings)}`);
    }

    if (problems.list.length > 0 || !environment || !aws || !proverImage || !proverTask) {
        throw new StackConfigError(raw.stack, problems.list);
    }
    return Object.freeze({
        stack: raw.stack,
        nameScope: raw.stack,
        environment,
        profile,
        region: aws.region,
        accountId: aws.accountId,
        defaultTags: aws.defaultTags,
        deployerRoleArnPattern,
        proverImage,
        proverTask,
        proofPrefix,
        proofBucketName,
        bundleCorsOrigins,
        apiCorsOrigins,
        apiThrottling,
        customDomain,
        dispatchConcurrency,
        dispatchReservedConcurrency,
        alarmEmails,
        networkMode: networkMode as "public" | "private",
        apiHandlerPath,
        applicationBuilds,
        sessionCapabilityTtlSeconds,
        allowReproving: allowReproving === true,
        hosting,
        verifier,
        allowHighScanFindings: allowHighScanFindings === true,
        ...admission,
    });
}

/**
 * The image gate asks the stack's own registry, in the stack's region, and only repositories the
 * bootstrap stack's signing rule covers are signed on push: a prebuilt image anywhere else could
 * never pass the gate (its signing status would be missing or unreadable), so it is refused here.
 */
function foreignImageProblems(image: Extract<ProverImageSource, { kind: "prebuilt" }>, aws: { region: string; accountId: string }, problems: Problems): void {
    const key = `${P("proverImage")}.uri`;
    if (image.registryAccountId !== aws.accountId || image.registryRegion !== aws.region) {
        problems.add(
            key,
            `the image lives in account ${image.registryAccountId}, region ${image.registryRegion}; the image gate checks signatures in the stack's own registry (account ${aws.accountId}, region ${aws.region}): push the image there`,
        );
    }
    if (!image.repositoryName.startsWith(SIGNED_REPOSITORY_PREFIX)) {
        problems.add(key, `repository "${image.repositoryName}" is not covered by the bootstrap stack's signing rule (${SIGNED_REPOSITORY_PREFIX}*): its images are never signed`);
    }
}

/**
 * maxConcurrentProofs 1-20 (each task takes 16 vCPU; the preflight checks the Fargate quota covers
 * them); proofsPerHour and proofsPerDay 1-10000, hourly at most daily. A proof admitted by the API
 * may wait for a slot inside its execution, whose history bounds the wait (builders/proofSlots.ts):
 * the daily budget must not queue more than that wait covers.
 */
function parseAdmission(cfg: Record<string, unknown>, hostTimeoutSeconds: number, problems: Problems) {
    const read = (key: "maxConcurrentProofs" | "proofsPerHour" | "proofsPerDay", fallback: number, max: number): number | undefined => {
        if (cfg[key] === undefined) return fallback;
        const problem = integerProblem(cfg[key], 1, max);
        if (problem) {
            problems.add(P(key), problem);
            return undefined;
        }
        return cfg[key] as number;
    };
    const maxConcurrentProofs = read("maxConcurrentProofs", DEFAULT_MAX_CONCURRENT_PROOFS, 20);
    const perHour = read("proofsPerHour", DEFAULT_PROOFS_PER_HOUR, 10000);
    const perDay = read("proofsPerDay", DEFAULT_PROOFS_PER_DAY, 10000);
    if (perHour !== undefined && perDay !== undefined && perHour > perDay) {
        problems.add(P("proofsPerHour"), `${perHour} must not exceed proofsPerDay (${perDay})`);
    }
    if (perDay !== undefined && maxConcurrentProofs !== undefined) {
        const runProverTimeoutSeconds = hostTimeoutSeconds + PIPELINE_DEFAULTS.runProverOverheadSeconds;
        const wait = queueWaitBoundSeconds(perDay, maxConcurrentProofs, runProverTimeoutSeconds);
        if (wait > maxSlotWaitSeconds()) {
            problems.add(
                P("proofsPerDay"),
                `${perDay} proofs per day at ${maxConcurrentProofs} at once may queue for ${wait} s, longer than an execution can wait for a slot (${maxSlotWaitSeconds()} s): lower proofsPerDay or raise maxConcurrentProofs`,
            );
        }
    }
    return {
        maxConcurrentProofs: maxConcurrentProofs ?? DEFAULT_MAX_CONCURRENT_PROOFS,
        proofBudget: Object.freeze({ perHour: perHour ?? DEFAULT_PROOFS_PER_HOUR, perDay: perDay ?? DEFAULT_PROOFS_PER_DAY }),
    };
}

function parseEnvironment(value: unknown, problems: Problems): EnvironmentName | undefined {
    if (value === undefined) {
        problems.add(P("environment"), `required: one of ${ENVIRONMENT_NAMES.join(", ")}`);
        return undefined;
    }
    if (!(ENVIRONMENT_NAMES as readonly unknown[]).includes(value)) {
        problems.add(P("environment"), `must be one of ${ENVIRONMENT_NAMES.join(", ")}, got ${JSON.stringify(value)}`);
        return undefined;
    }
    return value as EnvironmentName;
}

function parseAws(
    aws: Record<string, unknown>,
    environment: EnvironmentName | undefined,
    problems: Problems,
): { region: string; accountId: string; defaultTags: Record<string, string> } | undefined {
    // Required, not defaulted: the provider deploys to aws:region (or, without it, to AWS_REGION or
    // the profile's region), and every ARN the program derives must name that same region.
    const region = aws.region;
    if (region === undefined) {
        problems.add("aws:region", `required: the region to deploy to, such as ${DEFAULT_REGION} (the provider and the ARNs the program derives must agree on it)`);
    } else if (typeof region !== "string" || !AWS_REGION.test(region)) {
        problems.add("aws:region", `${JSON.stringify(region)} is not an AWS region name such as ${DEFAULT_REGION}`);
    }

    const accounts = aws.allowedAccountIds;
    let accountId: string | undefined;
    if (!Array.isArray(accounts) || accounts.length !== 1) {
        problems.add("aws:allowedAccountIds", "required: a list of exactly one 12-digit AWS account id (the deploy refuses any other account)");
    } else if (typeof accounts[0] !== "string" || !ACCOUNT_ID.test(accounts[0])) {
        problems.add("aws:allowedAccountIds", `${JSON.stringify(accounts[0])} is not a 12-digit account id (quote it in YAML so leading zeros survive)`);
    } else {
        accountId = accounts[0];
    }

    const tags = isPlainObject(aws.defaultTags) ? aws.defaultTags.tags : undefined;
    const defaultTags: Record<string, string> = {};
    if (!isPlainObject(tags)) {
        problems.add("aws:defaultTags", `required: tags: {${REQUIRED_DEFAULT_TAGS.join(", ")}}`);
    } else {
        for (const [k, v] of Object.entries(tags)) {
            if (typeof v !== "string") problems.add(`aws:defaultTags.tags.${k}`, "must be a string");
            else defaultTags[k] = v;
        }
        const expected: Record<string, string | undefined> = { Project: PROJECT_NAME, Environment: environment, ManagedBy: "Pulumi" };
        for (const key of REQUIRED_DEFAULT_TAGS) {
            const want = expected[key];
            if (tags[key] === undefined) problems.add(`aws:defaultTags.tags.${key}`, `required${want ? ` ("${want}")` : ""}`);
            else if (want !== undefined && tags[key] !== want) {
                problems.add(`aws:defaultTags.tags.${key}`, `must be "${want}", got ${JSON.stringify(tags[key])}`);
            }
        }
    }
    if (typeof region !== "string" || !accountId) return undefined;
    return { region, accountId, defaultTags };
}

function parseProverImage(value: unknown, problems: Problems): ProverImageSource | undefined {
    const key = P("proverImage");
    if (!isPlainObject(value)) {
        problems.add(key, "required: either {uri: <ECR image>@sha256:<digest>} or {build: {context, dockerfile, buildArgs}}");
        return undefined;
    }
    const hasUri = value.uri !== undefined;
    const hasBuild = value.build !== undefined;
    if (hasUri === hasBuild) {
        problems.add(key, "set exactly one of uri (a prebuilt, digest-pinned image) or build (built and pushed by the program)");
        return undefined;
    }
    for (const extra of Object.keys(value).filter((k) => k !== "uri" && k !== "build")) {
        problems.add(`${key}.${extra}`, "unknown key (allowed: uri, build)");
    }
    if (hasUri) {
        const match = typeof value.uri === "string" ? ECR_DIGEST_URI.exec(value.uri) : null;
        if (!match) {
            problems.add(
                `${key}.uri`,
                `${JSON.stringify(value.uri)} must be an ECR image pinned by digest (<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<64 hex>); tags such as :latest are rejected because ECR signing status is per digest`,
            );
            return undefined;
        }
        return {
            kind: "prebuilt",
            uri: value.uri as string,
            registryAccountId: match[1],
            registryRegion: match[2],
            repositoryName: match[3],
            digest: match[4],
        };
    }
    const build = value.build;
    if (!isPlainObject(build)) {
        problems.add(`${key}.build`, "must be an object {context, dockerfile, buildArgs, platform}");
        return undefined;
    }
    const context = build.context ?? ".";
    const dockerfile = build.dockerfile ?? "prover/Dockerfile";
    const platform = build.platform ?? PROVER_PLATFORM;
    const buildArgs = build.buildArgs ?? {};
    let ok = true;
    if (typeof context !== "string" || context === "") ok = fail(`${key}.build.context`, "must be a non-empty path");
    if (typeof dockerfile !== "string" || dockerfile === "") ok = fail(`${key}.build.dockerfile`, "must be a non-empty path");
    if (platform !== PROVER_PLATFORM) {
        ok = fail(`${key}.build.platform`, `must be "${PROVER_PLATFORM}" (the prover task runs on ARM64 Fargate)`);
    }
    if (!isPlainObject(buildArgs) || Object.values(buildArgs).some((v) => typeof v !== "string")) {
        ok = fail(`${key}.build.buildArgs`, "must be a map of strings");
    } else {
        const host = buildArgs.ZKVM_HOST_IMAGE;
        if (typeof host !== "string" || host === "") {
            ok = fail(`${key}.build.buildArgs.ZKVM_HOST_IMAGE`, "required: the zkVM host image the prover image copies its host binary, r0vm and RISC Zero settings from (prover/README.md)");
        } else if (/[<>\s]/.test(host)) {
            ok = fail(`${key}.build.buildArgs.ZKVM_HOST_IMAGE`, `${JSON.stringify(host)} is a placeholder, not an image reference`);
        }
    }
    for (const extra of Object.keys(build).filter((k) => !["context", "dockerfile", "buildArgs", "platform"].includes(k))) {
        ok = fail(`${key}.build.${extra}`, "unknown key (allowed: context, dockerfile, buildArgs, platform)");
    }
    if (!ok) return undefined;
    return {
        kind: "build",
        context: context as string,
        dockerfile: dockerfile as string,
        buildArgs: Object.freeze({ ...(buildArgs as Record<string, string>) }),
        platform: PROVER_PLATFORM,
    };

    function fail(k: string, rule: string): false {
        problems.add(k, rule);
        return false;
    }
}

function parseProverTask(
    value: unknown,
    profile: EnvironmentProfile,
    environment: EnvironmentName | undefined,
    problems: Problems,
): StackSettings["proverTask"] | undefined {
    const key = P("proverTask");
    const task = value ?? {};
    if (!isPlainObject(task)) {
        problems.add(key, "must be an object {cpu, memory, hostTimeoutSeconds, useFargateSpot}");
        return undefined;
    }
    for (const extra of Object.keys(task).filter((k) => !["cpu", "memory", "hostTimeoutSeconds", "useFargateSpot", "architecture"].includes(k))) {
        problems.add(`${key}.${extra}`, "unknown key (allowed: cpu, memory, hostTimeoutSeconds, useFargateSpot, architecture)");
    }
    const cpu = task.cpu ?? DEFAULT_PROVER_CPU;
    const memory = task.memory ?? DEFAULT_PROVER_MEMORY;
    const hostTimeoutSeconds = task.hostTimeoutSeconds ?? DEFAULT_HOST_TIMEOUT_SECONDS;
    const useFargateSpot = task.useFargateSpot ?? false;
    let ok = true;
    if (typeof cpu !== "number" || typeof memory !== "number") {
        problems.add(`${key}.cpu/memory`, "must be numbers (CPU units and MiB)");
        ok = false;
    } else {
        const problem = fargateSizeProblem(cpu, memory);
        if (problem) {
            problems.add(`${key}.cpu/memory`, problem);
            ok = false;
        }
    }
    if ((task.architecture ?? "ARM64") !== "ARM64") {
        problems.add(`${key}.architecture`, "must be ARM64 (the prover image is built for linux/arm64)");
        ok = false;
    }
    const timeoutProblem = integerProblem(hostTimeoutSeconds, 60, 3600);
    if (timeoutProblem) {
        problems.add(`${key}.hostTimeoutSeconds`, timeoutProblem);
        ok = false;
    }
    if (typeof useFargateSpot !== "boolean") {
        problems.add(`${key}.useFargateSpot`, "must be true or false");
        ok = false;
    } else if (useFargateSpot) {
        if (environment && !profile.allowFargateSpot) {
            problems.add(`${key}.useFargateSpot`, `is only allowed in develop (a reclaimed Spot task loses a proof in ${environment})`);
        }
        // The prover task is ARM64 (checked above), and Fargate Spot does not run ARM64 tasks: every
        // RunTask would fail. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
        problems.add(
            `${key}.useFargateSpot`,
            "must be false while the task is ARM64: AWS says \"Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider\", so every RunTask on Spot would fail",
        );
        ok = false;
    }
    if (!ok) return undefined;
    return Object.freeze({
        cpu: cpu as number,
        memory: memory as number,
        architecture: "ARM64" as const,
        hostTimeoutSeconds: hostTimeoutSeconds as number,
        useFargateSpot: useFargateSpot as boolean,
    });
}

/**
 * Reserved concurrency of the dispatch Lambda: opt-in. A reservation must leave the account's
 * unreserved pool at its minimum (AWS: "You can reserve up to the Unreserved account concurrency
 * value minus 100"), which new or low-quota accounts cannot; the event source's maximumConcurrency
 * already caps the dispatcher without it. When set, it must be at least dispatchConcurrency: a
 * maximum concurrency above the reservation only throttles the poller, and throttled messages
 * count toward the DLQ's receives.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 */
function parseReservedConcurrency(value: unknown, dispatchConcurrency: number, problems: Problems): number | undefined {
    if (value === undefined) return undefined;
    const key = P("dispatchReservedConcurrency");
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
        problems.add(key, "must be a positive integer (or unset: no reservation)");
        return undefined;
    }
    if (value < dispatchConcurrency) {
        problems.add(key, `${value} must be at least dispatchConcurrency (${dispatchConcurrency}): an event source maximum concurrency above the reservation only throttles the poller, and throttled messages count toward the DLQ's 3 receives`);
        return undefined;
    }
    return value;
}

function parseOrigins(value: unknown, name: string, problems: Problems): string[] {
    const origins = parseStringList(value, name, problems);
    origins.forEach((origin, i) => {
        const problem = originProblem(origin);
        if (problem) problems.add(P(`${name}[${i}]`), problem);
    });
    return origins;
}

function parseStringList(value: unknown, name: string, problems: Problems): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        problems.add(P(name), "must be a list of strings");
        return [];
    }
    if (new Set(value).size !== value.length) problems.add(P(name), "must not contain duplicates");
    return [...value];
}

function parseThrottling(value: unknown, problems: Problems): StackSettings["apiThrottling"] {
    if (value === undefined) return undefined;
    const key = P("apiThrottling");
    if (!isPlainObject(value)) {
        problems.add(key, "must be an object {burstLimit, rateLimit}");
        return undefined;
    }
    if ((value.burstLimit === undefined) !== (value.rateLimit === undefined)) {
        problems.add(key, "set both burstLimit and rateLimit, or neither");
        return undefined;
    }
    if (value.burstLimit === undefined) return undefined;
    const burst = integerProblem(value.burstLimit, 1, 5000);
    if (burst) problems.add(`${key}.burstLimit`, burst);
    const rate = typeof value.rateLimit === "number" && value.rateLimit > 0 && value.rateLimit <= 10000 ? undefined : "must be a number greater than 0 and at most 10000 (requests per second)";
    if (rate) problems.add(`${key}.rateLimit`, rate);
    if (burst || rate) return undefined;
    return { burstLimit: value.burstLimit as number, rateLimit: value.rateLimit as number };
}

function parseCustomDomain(value: unknown, problems: Problems): StackSettings["customDomain"] {
    if (value === undefined) return undefined;
    const key = P("customDomain");
    if (!isPlainObject(value)) {
        problems.add(key, "must be an object {domainName, certificateArn}");
        return undefined;
    }
    if ((value.domainName === undefined) !== (value.certificateArn === undefined)) {
        problems.add(key, "set both domainName and certificateArn, or neither");
        return undefined;
    }
    if (value.domainName === undefined) return undefined;
    let ok = true;
    if (typeof value.domainName !== "string" || !DOMAIN_NAME.test(value.domainName)) {
        problems.add(`${key}.domainName`, `${JSON.stringify(value.domainName)} is not a lower-case DNS name`);
        ok = false;
    }
    if (typeof value.certificateArn !== "string" || !ACM_CERTIFICATE_ARN.test(value.certificateArn)) {
        problems.add(`${key}.certificateArn`, `${JSON.stringify(value.certificateArn)} is not an ACM certificate ARN`);
        ok = false;
    }
    return ok ? { domainName: value.domainName as string, certificateArn: value.certificateArn as string } : undefined;
}

function optionalString(value: unknown, name: string, problems: Problems): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string") {
        problems.add(P(name), "must be a string");
        return undefined;
    }
    return value;
}
