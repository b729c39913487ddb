/**
 * Web hosting of the application (Amplify Hosting): the `hosting` config value, the fixed settings
 * of a server-rendered Next.js app, the build specification, the web origins the API's CORS adds,
 * and the IAM documents of Amplify's service role.
 *
 * Pure: no Pulumi imports; parsed config and plain values in, plain values and documents out.
 *
 * Pages this module relies on:
 * - platform `WEB_COMPUTE` for a Next.js 12+ SSR app (`WEB` is static only, `WEB_DYNAMIC` the
 *   retired Next.js 11 provider): https://docs.aws.amazon.com/amplify/latest/userguide/redeploy-ssg-to-ssr.html
 * - the GitHub access token (Amplify GitHub App; used once, not stored):
 *   https://docs.aws.amazon.com/amplify/latest/APIReference/API_CreateApp.html (accessToken)
 * - environment variables (no `AWS` prefix, values up to 5500 characters):
 *   https://docs.aws.amazon.com/amplify/latest/userguide/environment-variables.html
 * - a Next.js server reads build environment variables only when the build writes them to
 *   `.env.production`: https://docs.aws.amazon.com/amplify/latest/userguide/ssr-environment-variables.html
 * - the SSR logging role's permissions:
 *   https://docs.aws.amazon.com/amplify/latest/userguide/cloudwatch-logs-role.html
 * - the service role's confused-deputy conditions (`aws:SourceArn` `apps/*`, `aws:SourceAccount`):
 *   https://docs.aws.amazon.com/amplify/latest/userguide/amplify-service-role.html
 */
import { DOMAIN_NAME } from "./addressRules";
import { AwsContext, PolicyDocument, policyDocument } from "./policies/document";

/** A Next.js 12 or later server-rendered app on Amplify Hosting compute. */
export const WEB_PLATFORM = "WEB_COMPUTE";
/** The branch's framework as the Amplify console names a Next.js SSR branch. */
export const WEB_FRAMEWORK = "Next.js - SSR";
/** Amplify reserves names starting with `AWS` for itself. */
export const RESERVED_VARIABLE_PREFIX = "AWS";
export const MAX_VARIABLE_VALUE_LENGTH = 5500;
/**
 * GitHub repositories only: the token is a GitHub personal access token for the Amplify GitHub
 * App (`accessToken`); other providers take an OAuth token, which this program does not offer.
 */
export const GITHUB_REPOSITORY = /^https:\/\/github\.com\/[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/**
 * The branch name is also the host label of the branch's default URL
 * (`https://<branch>.<app default domain>`), which is the web origin the API's CORS allows; a name
 * that is a DNS label keeps URL and origin exactly that.
 */
export const BRANCH_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A subdomain prefix: empty (the domain itself) or one DNS label. */
export const SUBDOMAIN_PREFIX = /^(?:|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/;

/** The config secret holding the GitHub access token (required when `hosting` is set). */
export const HOSTING_TOKEN_KEY = "hostingAccessToken";

export interface WebHostingSettings {
    /** `https://github.com/<owner>/<repo>`. */
    readonly repository: string;
    /** The Git branch this stack deploys. Default: the stack's environment (`develop`, `main`). */
    readonly branch: string;
    /** Optional custom domain: `domainName` (the zone's name, e.g. `example.com`) and the branch's subdomain `prefix` (`""` = the domain itself). */
    readonly customDomain?: { readonly domainName: string; readonly prefix: string };
}

const HOSTING_KEYS = ["repository", "branch", "customDomain"];

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Problems of the `hosting` config value, each naming its key; `key` is the full config key. */
export function webHostingProblems(value: unknown, key: string): string[] {
    if (value === undefined) return [];
    if (!isObject(value)) return [`${key}: must be an object {repository, branch, customDomain}`];
    const problems: string[] = [];
    for (const extra of Object.keys(value).filter((k) => !HOSTING_KEYS.includes(k))) {
        problems.push(`${key}.${extra}: unknown key (allowed: ${HOSTING_KEYS.join(", ")})`);
    }
    if (typeof value.repository !== "string" || !GITHUB_REPOSITORY.test(value.repository)) {
        problems.push(
            `${key}.repository: ${JSON.stringify(value.repository)} must be a GitHub repository URL https://github.com/<owner>/<repo> (the access token is a GitHub token for the Amplify GitHub App)`,
        );
    }
    if (value.branch !== undefined && (typeof value.branch !== "string" || !BRANCH_NAME.test(value.branch))) {
        problems.push(
            `${key}.branch: ${JSON.stringify(value.branch)} must be 1-63 lower-case letters, digits and inner hyphens: it is also the host label of the branch's URL https://<branch>.<app domain>, the origin the API's CORS allows`,
        );
    }
    if (value.customDomain !== undefined) {
        const domain = value.customDomain;
        if (!isObject(domain)) {
            problems.push(`${key}.customDomain: must be an object {domainName, prefix}`);
        } else {
            for (const extra of Object.keys(domain).filter((k) => k !== "domainName" && k !== "prefix")) {
                problems.push(`${key}.customDomain.${extra}: unknown key (allowed: domainName, prefix)`);
            }
            if (typeof domain.domainName !== "string" || !DOMAIN_NAME.test(domain.domainName)) {
                problems.push(`${key}.customDomain.domainName: ${JSON.stringify(domain.domainName)} is not a lower-case DNS name such as example.com`);
            }
            if (domain.prefix !== undefined && (typeof domain.prefix !== "string" || !SUBDOMAIN_PREFIX.test(domain.prefix))) {
                problems.push(`${key}.customDomain.prefix: ${JSON.stringify(domain.prefix)} must be "" (the domain itself) or one lower-case DNS label such as app`);
            }
        }
    }
    return problems;
}

/** The validated settings; call only when `webHostingProblems` found none. */
export function toWebHosting(value: unknown, environment: string): WebHostingSettings | undefined {
    if (value === undefined) return undefined;
    const v = value as Record<string, any>;
    const domain = v.customDomain as Record<string, string> | undefined;
    return Object.freeze({
        repository: v.repository as string,
        branch: (v.branch as string | undefined) ?? environment,
        ...(domain === undefined ? {} : { customDomain: Object.freeze({ domainName: domain.domainName, prefix: domain.prefix ?? "" }) }),
    });
}

/** Amplify's stage of the stack's branch: main is production, anything else development. */
export function branchStage(environment: string): "PRODUCTION" | "DEVELOPMENT" {
    return environment === "main" ? "PRODUCTION" : "DEVELOPMENT";
}

/** The custom domain's host name: `<prefix>.<domainName>`, or the domain itself for an empty prefix. */
export function customDomainHost(domain: { domainName: string; prefix: string }): string {
    return domain.prefix === "" ? domain.domainName : `${domain.prefix}.${domain.domainName}`;
}

/**
 * The origins a browser shows for the hosted application: the branch's default URL and, with a
 * custom domain, that domain (the default URL keeps answering). The first is the site's URL when
 * there is no custom domain; the custom domain's when there is.
 */
export function webOrigins(branch: string, defaultDomain: string, customDomain?: { domainName: string; prefix: string }): string[] {
    const origins = [`https://${branch}.${defaultDomain}`];
    if (customDomain) origins.push(`https://${customDomainHost(customDomain)}`);
    return origins;
}

/** The site's URL: the custom domain when set, else the branch's default URL. */
export function webUrl(branch: string, defaultDomain: string, customDomain?: { domainName: string; prefix: string }): string {
    return customDomain ? `https://${customDomainHost(customDomain)}` : `https://${branch}.${defaultDomain}`;
}

/**
 * The API's CORS origins when the application is hosted: the configured ones, then the hosted
 * web origins that are not among them. The configured list keeps its meaning (in main it must be
 * stated, `[]` included): hosting only adds the origins of the site it creates.
 */
export function combinedCorsOrigins(configured: readonly string[], hosted: readonly string[]): string[] {
    return [...configured, ...hosted.filter((o) => !configured.includes(o))];
}

/** Problems Amplify would answer a branch's environment variables with (BadRequestException). */
export function amplifyVariableProblems(variables: Record<string, string>): string[] {
    const problems: string[] = [];
    for (const [name, value] of Object.entries(variables)) {
        if (name.toUpperCase().startsWith(RESERVED_VARIABLE_PREFIX)) {
            problems.push(`${name}: Amplify reserves environment variable names starting with ${RESERVED_VARIABLE_PREFIX}`);
        }
        if (value.length > MAX_VARIABLE_VALUE_LENGTH) {
            problems.push(`${name}: ${value.length} characters, Amplify accepts at most ${MAX_VARIABLE_VALUE_LENGTH}`);
        }
    }
    return problems;
}

/** Names the build spec cannot write as `NAME=value` lines (upper case, digits and `_`, no leading digit). */
export function nonVariableNames(variableNames: readonly string[]): string[] {
    return variableNames.filter((n) => !/^[A-Z_][A-Z0-9_]*$/.test(n));
}

/**
 * The build specification. Amplify passes the branch's variables to the build only; a Next.js
 * server sees them at run time when the build writes them to `.env.production`. The grep names
 * exactly the variables the stack sets (the `appEnvironment` keys), each anchored to its whole name.
 */
export function webBuildSpec(variableNames: readonly string[]): string {
    const bad = nonVariableNames(variableNames);
    if (bad.length > 0) throw new Error(`webBuildSpec: not environment variable names: ${bad.join(", ")}`);
    const pattern = `^(${[...variableNames].sort().join("|")})=`;
    return [
        "version: 1",
        "frontend:",
        "  phases:",
        "    preBuild:",
        "      commands:",
        "        - npm ci",
        "    build:",
        "      commands:",
        `        - env | grep -E '${pattern}' >> .env.production`,
        "        - npm run build",
        "  artifacts:",
        "    baseDirectory: .next",
        "    files:",
        "      - '**/*'",
        "  cache:",
        "    paths:",
        "      - node_modules/**/*",
        "      - .next/cache/**/*",
        "",
    ].join("\n");
}

/** Amplify may assume the service role only for apps of this account and region. */
export function amplifyServiceTrustPolicy(ctx: AwsContext): PolicyDocument {
    return policyDocument({
        Sid: "AllowAmplifyAssumeRole",
        Effect: "Allow",
        Principal: { Service: "amplify.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
            StringEquals: { "aws:SourceAccount": ctx.accountId },
            ArnLike: { "aws:SourceArn": `arn:${ctx.partition}:amplify:${ctx.region}:${ctx.accountId}:apps/*` },
        },
    });
}

/**
 * What the SSR runtime's logging needs and nothing else: the four actions AWS lists, on Amplify's
 * log groups of this account and region (`/aws/amplify/<app id>`; the id is unknown until the app
 * exists, and the app needs this role first). DescribeLogGroups is listed on the region's groups:
 * it evaluates against `log-group:*`, so a narrower name would never match.
 */
export function amplifySsrLoggingPolicy(ctx: AwsContext): PolicyDocument {
    const groups = `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:/aws/amplify/*`;
    return policyDocument(
        {
            Sid: "WriteSsrLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [groups, `${groups}:log-stream:*`],
        },
        {
            Sid: "DescribeLogGroups",
            Effect: "Allow",
            Action: "logs:DescribeLogGroups",
            Resource: `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:*`,
        },
    );
}
