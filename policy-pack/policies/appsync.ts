/**
 * AppSync GraphQL APIs answer only IAM-signed callers and log their failing fields.
 *
 * - IAM only: an API key is a shared bearer secret that never expires with a role, and an extra
 *   user-pool, OIDC or Lambda provider opens the API to callers outside the account's IAM. With
 *   `AWS_IAM` as the only mode, `appsync:GraphQL` grants (scoped to fields) decide who may call.
 *   https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html
 * - Field logs at ERROR or above, through a role, without verbose content (headers, context and
 *   evaluated templates carry request data such as encrypted votes).
 *   https://docs.aws.amazon.com/appsync/latest/APIReference/API_LogConfig.html
 */
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule } from "../lib/types";
import { hasValue, isRecord } from "../lib/values";

export const GRAPHQL_API_TYPE = "aws:appsync/graphQLApi:GraphQLApi";
const LOGGED_LEVELS = ["ERROR", "INFO", "DEBUG", "ALL"];

export function checkAppSyncIamOnly(_type: string, props: Props): string[] {
    const problems: string[] = [];
    if (props.authenticationType !== "AWS_IAM") problems.push(`API must authorize with AWS_IAM only (authenticationType is ${JSON.stringify(props.authenticationType)})`);
    if (Array.isArray(props.additionalAuthenticationProviders) && props.additionalAuthenticationProviders.length > 0) {
        problems.push("API must not add authentication providers (additionalAuthenticationProviders)");
    }
    return problems;
}

export function checkAppSyncFieldLogging(_type: string, props: Props): string[] {
    const log = props.logConfig;
    if (!isRecord(log) || !hasValue(log, "cloudwatchLogsRoleArn") || !LOGGED_LEVELS.includes(log.fieldLogLevel as string)) {
        return ["API must log failing fields (logConfig.fieldLogLevel ERROR or above, with cloudwatchLogsRoleArn)"];
    }
    return log.excludeVerboseContent === true ? [] : ["API logs must exclude verbose content (logConfig.excludeVerboseContent: true)"];
}

export const appsyncRules: readonly ResourceRule[] = [
    resourceRule("appsync-iam-only", "Every AppSync GraphQL API authorizes with AWS_IAM only.", [GRAPHQL_API_TYPE], checkAppSyncIamOnly),
    resourceRule("appsync-field-logging", "Every AppSync GraphQL API logs failing fields without verbose content.", [GRAPHQL_API_TYPE], checkAppSyncFieldLogging),
];
