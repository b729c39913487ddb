/**
 * Preflight: read-only questions to the target account, with the operator's credentials, before
 * `pulumi up`. Each check prints what it found and what to do. Nothing is created or changed: only
 * Get* calls are sent (tests/scripts/preflight.test.ts pins the exact set).
 *
 * Checks and the AWS pages they rely on:
 * - region: the credentials' region (AWS_REGION / profile) is the stack's `aws:region`;
 * - account: sts:GetCallerIdentity is the account in `aws:allowedAccountIds`
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html);
 * - Lambda concurrency: lambda:GetAccountSettings' UnreservedConcurrentExecutions, less what the
 *   stack newly reserves, stays at or above 100: "You can reserve up to the Unreserved account
 *   concurrency value minus 100" (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html);
 *   a reservation the function already holds is counted once (lambda:GetFunctionConcurrency);
 * - Fargate: the "Fargate On-Demand vCPU resource count" quota (service code `fargate`, quota code
 *   L-3032A538, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html#service-quotas-fargate)
 *   covers cpu/1024 vCPU per prover task times the concurrent proofs;
 * - image signing: ecr:GetSigningConfiguration has a rule whose repository filters match the prover
 *   repository (WILDCARD_MATCH, `*` matches any sequence of characters; a rule without filters
 *   signs every repository: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SigningRepositoryFilter.html,
 *   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SigningRule.html), and that rule's
 *   Signer profile is `Active` (signer:GetSigningProfile,
 *   https://docs.aws.amazon.com/signer/latest/api/API_GetSigningProfile.html);
 * - secrets: the three application secrets are set, encrypted, in the stack file.
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { ECRClient, GetSigningConfigurationCommand, SigningRule } from "@aws-sdk/client-ecr";
import { GetSigningProfileCommand, SignerClient } from "@aws-sdk/client-signer";
import { appApiNames } from "../../builders/appApiSettings";
import { physicalName } from "../../builders/names";
import { SECRET_CONFIG_KEYS, StackSettings } from "../../stacks/config";

/** Lambda keeps at least this much concurrency unreserved (configuration-concurrency.html). */
export const MIN_UNRESERVED_CONCURRENCY = 100;
export const FARGATE_ON_DEMAND_VCPU_QUOTA = { ServiceCode: "fargate", QuotaCode: "L-3032A538" } as const;

export type CheckStatus = "pass" | "fail" | "warn";
export interface CheckResult {
    check: string;
    status: CheckStatus;
    found: string;
    /** What to do; empty when nothing is needed. */
    action: string;
}

export interface PreflightClients {
    sts: STSClient;
    lambda: LambdaClient;
    quotas: ServiceQuotasClient;
    ecr: ECRClient;
    /** Signer client for a region (a profile ARN names its region). */
    signer: (region: string) => SignerClient;
}

export interface PreflightInput {
    settings: StackSettings;
    /** Which application secrets the stack file holds encrypted. */
    secretsPresent: readonly string[];
    /** The region the credentials resolve to (AWS_REGION, AWS_DEFAULT_REGION or the profile). */
    clientRegion: string | undefined;
    /** Proofs that may run at once; each needs one prover task. Default: the stack's maxConcurrentProofs. */
    maxConcurrentProofs?: number;
}

/** The credentials chain found nothing: preflight stops with this instead of check results. */
export class NoCredentialsError extends Error {
    constructor(cause: string) {
        super(
            `No AWS credentials found (${cause}). Preflight asks the target account read-only questions with the operator's credentials: ` +
                "set AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY(/AWS_SESSION_TOKEN), or run it where a role is assumed (CI: aws-actions/configure-aws-credentials), then run it again.",
        );
        this.name = "NoCredentialsError";
    }
}

/**
 * Reserved concurrency the stack asks for, per function: only the dispatch function, and only when
 * `dispatchReservedConcurrency` opts in (0 otherwise, which the check skips).
 */
export function stackReservations(settings: StackSettings): Array<{ functionName: string; reserved: number }> {
    return [{ functionName: appApiNames.proverDispatchFunction(settings.nameScope), reserved: settings.dispatchReservedConcurrency ?? 0 }];
}

/** The repository the prover image is pushed to (build) or pulled from (prebuilt URI). */
export function proverRepository(settings: StackSettings): { name: string; registryAccountId: string } {
    return settings.proverImage.kind === "prebuilt"
        ? { name: settings.proverImage.repositoryName, registryAccountId: settings.proverImage.registryAccountId }
        : { name: physicalName("prover", settings.nameScope), registryAccountId: settings.accountId };
}

/** WILDCARD_MATCH as ECR documents it: `*` matches any sequence of characters, everything else itself. */
export function wildcardMatches(filter: string, repositoryName: string): boolean {
    const pattern = filter.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join(".*");
    return new RegExp(`^${pattern}$`).test(repositoryName);
}

/** The first rule that signs images pushed to the repository (a rule without filters signs all). */
export function signingRuleFor(rules: readonly SigningRule[], repositoryName: string): SigningRule | undefined {
    return rules.find((rule) => {
        const filters = rule.repositoryFilters ?? [];
        return filters.length === 0 || filters.some((f) => f.filterType === "WILDCARD_MATCH" && f.filter !== undefined && wildcardMatches(f.filter, repositoryName));
    });
}

/** `arn:aws:signer:<region>:<account>:/signing-profiles/<name>` */
export function parseSigningProfileArn(arn: string): { region: string; account: string; name: string } | undefined {
    const match = /^arn:aws[a-z-]*:signer:([a-z0-9-]+):(\d{12}):\/signing-profiles\/([A-Za-z0-9_]+)$/.exec(arn);
    return match ? { region: match[1], account: match[2], name: match[3] } : undefined;
}

const errorName = (e: unknown) => (e as { name?: string })?.name ?? "Error";
const errorText = (e: unknown) => `${errorName(e)}: ${(e as Error)?.message ?? String(e)}`;

/** What the SDK's default chain throws when no source has credentials. */
const isCredentialsError = (e: unknown) => errorName(e) === "CredentialsProviderError";

export function checkRegion(settings: StackSettings, clientRegion: string | undefined): CheckResult {
    const check = "region";
    if (clientRegion === undefined) {
        return { check, status: "fail", found: "the credentials resolve to no region", action: `export AWS_REGION=${settings.region} (the stack's aws:region)` };
    }
    return clientRegion === settings.region
        ? { check, status: "pass", found: `credentials region ${clientRegion} = aws:region`, action: "" }
        : {
              check,
              status: "fail",
              found: `credentials region ${clientRegion}, aws:region ${settings.region}`,
              action: `export AWS_REGION=${settings.region}, or change aws:region if the stack belongs in ${clientRegion}`,
          };
}

export function checkSecrets(settings: StackSettings, secretsPresent: readonly string[]): CheckResult {
    const missing = SECRET_CONFIG_KEYS.filter((k) => !secretsPresent.includes(k));
    return missing.length === 0
        ? { check: "app secrets", status: "pass", found: `${SECRET_CONFIG_KEYS.join(", ")} set, encrypted`, action: "" }
        : {
              check: "app secrets",
              status: "fail",
              found: `not set as secrets: ${missing.join(", ")}`,
              action: `npm run stack:check -- ${settings.stack} prints the commands to set and commit them`,
          };
}

async function checkAccount(settings: StackSettings, sts: STSClient): Promise<CheckResult> {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const found = `caller ${identity.Arn} in account ${identity.Account}`;
    return identity.Account === settings.accountId
        ? { check: "account", status: "pass", found, action: "" }
        : {
              check: "account",
              status: "fail",
              found: `${found}; aws:allowedAccountIds allows ${settings.accountId}`,
              action: `use credentials for account ${settings.accountId} (e.g. AWS_PROFILE), or correct aws:allowedAccountIds`,
          };
}

async function checkLambdaConcurrency(settings: StackSettings, lambda: LambdaClient): Promise<CheckResult> {
    const check = "lambda concurrency";
    const reservations = stackReservations(settings).filter((r) => r.reserved > 0);
    const account = await lambda.send(new GetAccountSettingsCommand({}));
    const limit = account.AccountLimit?.ConcurrentExecutions;
    const unreserved = account.AccountLimit?.UnreservedConcurrentExecutions;
    if (limit === undefined || unreserved === undefined) return { check, status: "fail", found: "GetAccountSettings returned no concurrency limits", action: "check lambda:GetAccountSettings permissions and retry" };
    if (reservations.length === 0) return { check, status: "pass", found: `account limit ${limit}, unreserved ${unreserved}; the stack reserves nothing`, action: "" };

    let newlyReserved = 0;
    const parts: string[] = [];
    for (const r of reservations) {
        let current = 0;
        try {
            current = (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: r.functionName }))).ReservedConcurrentExecutions ?? 0;
        } catch (e) {
            // Not deployed yet: nothing reserved so far.
            if (errorName(e) !== "ResourceNotFoundException") throw e;
        }
        newlyReserved += Math.max(0, r.reserved - current);
        parts.push(`${r.functionName} reserves ${r.reserved} (holds ${current} now)`);
    }
    const left = unreserved - newlyReserved;
    const found = `account limit ${limit}, unreserved ${unreserved}; ${parts.join(", ")}; ${left} would stay unreserved (minimum ${MIN_UNRESERVED_CONCURRENCY})`;
    if (left >= MIN_UNRESERVED_CONCURRENCY) return { check, status: "pass", found, action: "" };
    return {
        check,
        status: "fail",
        found,
        action: `request the Lambda "Concurrent executions" quota (Service Quotas, lambda L-B99A9384) of at least ${limit + (MIN_UNRESERVED_CONCURRENCY - left)}, or deploy without a reservation`,
    };
}

async function checkFargateQuota(settings: StackSettings, quotas: ServiceQuotasClient, concurrentProofs: number): Promise<CheckResult> {
    const check = "fargate vcpu quota";
    const perTask = settings.proverTask.cpu / 1024;
    const needed = perTask * concurrentProofs;
    let value: number | undefined;
    let source = "applied";
    try {
        value = (await quotas.send(new GetServiceQuotaCommand({ ...FARGATE_ON_DEMAND_VCPU_QUOTA }))).Quota?.Value;
    } catch (e) {
        // An account that never changed the quota may have no applied value yet: the default applies.
        if (errorName(e) !== "NoSuchResourceException") throw e;
        value = (await quotas.send(new GetAWSDefaultServiceQuotaCommand({ ...FARGATE_ON_DEMAND_VCPU_QUOTA }))).Quota?.Value;
        source = "AWS default";
    }
    if (value === undefined) return { check, status: "fail", found: "Service Quotas returned no value for L-3032A538", action: "check servicequotas:GetServiceQuota permissions and retry" };
    const found = `Fargate On-Demand vCPU quota ${value} (${source}); a prover task needs ${perTask} vCPU, ${concurrentProofs} at once need ${needed}`;
    return value >= needed
        ? { check, status: "pass", found, action: "" }
        : {
              check,
              status: "fail",
              found,
              action: `request "Fargate On-Demand vCPU resource count" (fargate L-3032A538) of at least ${needed} in ${settings.region}: aws service-quotas request-service-quota-increase --service-code fargate --quota-code L-3032A538 --desired-value ${needed}`,
          };
}

async function checkImageSigning(settings: StackSettings, clients: PreflightClients): Promise<CheckResult> {
    const check = "image signing";
    const repository = proverRepository(settings);
    if (repository.registryAccountId !== settings.accountId) {
        return {
            check,
            status: "warn",
            found: `the prover image lives in account ${repository.registryAccountId}'s registry, not the stack's`,
            action: `check that registry's signing configuration covers ${repository.name} with that account's credentials`,
        };
    }
    let rules: SigningRule[] = [];
    try {
        rules = (await clients.ecr.send(new GetSigningConfigurationCommand({}))).signingConfiguration?.rules ?? [];
    } catch (e) {
        if (errorName(e) !== "SigningConfigurationNotFoundException") throw e;
    }
    const rule = signingRuleFor(rules, repository.name);
    const howTo = `configure ECR managed signing for the registry with a rule whose repository filter matches ${repository.name} (e.g. ${repository.name} or stark-ballot-simulator-prover-*) and an Active Signer profile: aws ecr put-signing-configuration`;
    if (rule === undefined) {
        return {
            check,
            status: "fail",
            found: rules.length === 0 ? "the registry has no signing configuration" : `none of ${rules.length} signing rule(s) matches ${repository.name}`,
            action: `${howTo}. Without it every proof stops at the signature check`,
        };
    }
    const profile = parseSigningProfileArn(rule.signingProfileArn ?? "");
    if (profile === undefined) return { check, status: "fail", found: `the matching rule's profile ARN ${rule.signingProfileArn} is not a Signer profile ARN`, action: howTo };
    const answer = await clients.signer(profile.region).send(new GetSigningProfileCommand({ profileName: profile.name, profileOwner: profile.account }));
    const found = `rule for ${repository.name} signs with ${profile.name} (${answer.status ?? "no status"}${answer.statusReason ? `: ${answer.statusReason}` : ""})`;
    return answer.status === "Active"
        ? { check, status: "pass", found, action: "" }
        : { check, status: "fail", found, action: `the profile is not Active: create a new Signer profile (aws signer put-signing-profile --platform-id Notation-OCI-SHA384-ECDSA) and point the signing rule at it` };
}

/** Runs every check; a check that cannot get its answer fails with the error, the others still run. */
export async function runPreflight(input: PreflightInput, clients: PreflightClients): Promise<CheckResult[]> {
    const { settings } = input;
    const results: CheckResult[] = [checkRegion(settings, input.clientRegion)];
    try {
        results.push(await checkAccount(settings, clients.sts));
    } catch (e) {
        if (isCredentialsError(e)) throw new NoCredentialsError(errorText(e));
        results.push({ check: "account", status: "fail", found: errorText(e), action: "the credentials must allow sts:GetCallerIdentity" });
    }
    const guarded = async (check: string, permission: string, run: () => Promise<CheckResult>) => {
        try {
            results.push(await run());
        } catch (e) {
            results.push({ check, status: "fail", found: errorText(e), action: `the credentials must allow ${permission}` });
        }
    };
    await guarded("lambda concurrency", "lambda:GetAccountSettings and lambda:GetFunctionConcurrency", () => checkLambdaConcurrency(settings, clients.lambda));
    await guarded("fargate vcpu quota", "servicequotas:GetServiceQuota and servicequotas:GetAWSDefaultServiceQuota", () => checkFargateQuota(settings, clients.quotas, input.maxConcurrentProofs ?? settings.maxConcurrentProofs));
    await guarded("image signing", "ecr:GetSigningConfiguration and signer:GetSigningProfile", () => checkImageSigning(settings, clients));
    results.push(checkSecrets(settings, input.secretsPresent));
    return results;
}

export function formatResults(stack: string, results: readonly CheckResult[]): string {
    const width = Math.max(...results.map((r) => r.check.length));
    const lines = results.map((r) => `${r.status.toUpperCase().padEnd(4)}  ${r.check.padEnd(width)}  ${r.found}${r.action ? `\n${" ".repeat(width + 8)}→ ${r.action}` : ""}`);
    const failed = results.filter((r) => r.status === "fail").length;
    return [`Preflight for stack ${stack}:`, ...lines, failed === 0 ? "All checks passed." : `${failed} check(s) failed.`].join("\n");
}
