/**
 * IAM documents of the data API: the roles AppSync assumes (one per data source, one for logs) and
 * the grant that lets the application's functions call exactly its operations.
 */
import { AwsContext, PolicyDocument, PolicyStatement, policyDocument, serviceTrustPolicy } from "../policies/document";
import { DATA_SOURCE_ACTIONS, DataSourceRole } from "./resolvers";
import { DATA_API_OPERATIONS } from "./schema";

/** `arn:<partition>:appsync:<region>:<account>:apis/<apiId>`. */
export const graphqlApiArn = (ctx: AwsContext, apiId: string) => `arn:${ctx.partition}:appsync:${ctx.region}:${ctx.accountId}:apis/${apiId}`;

/**
 * The field ARNs of exactly the operations the application sends
 * (`.../apis/<apiId>/types/<Query|Mutation>/fields/<field>`): `appsync:GraphQL` is authorized per
 * top-level field, so a new field is callable only once it is added here.
 * https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html#aws-iam-authorization
 */
export function operationFieldArns(ctx: AwsContext, apiId: string): string[] {
    return (Object.keys(DATA_API_OPERATIONS) as (keyof typeof DATA_API_OPERATIONS)[]).flatMap((typeName) =>
        DATA_API_OPERATIONS[typeName].map((field) => `${graphqlApiArn(ctx, apiId)}/types/${typeName}/fields/${field}`),
    );
}

/** The statement a caller's role needs: `appsync:GraphQL` on the operations' field ARNs only. */
export function callDataApiStatement(ctx: AwsContext, apiId: string): PolicyStatement {
    return { Sid: "CallDataApiOperations", Effect: "Allow", Action: "appsync:GraphQL", Resource: operationFieldArns(ctx, apiId) };
}

/** Trust policy of an AppSync service role, for this API only (confused-deputy guard). */
export function appSyncTrustPolicy(ctx: AwsContext, apiId: string): PolicyDocument {
    return serviceTrustPolicy("appsync.amazonaws.com", ctx, graphqlApiArn(ctx, apiId));
}

/**
 * A data source role: the DynamoDB actions its templates issue, on its table and (for Query through
 * an index) that index only.
 */
export function dataSourcePolicy(role: DataSourceRole, tableArn: string, indexNames: readonly string[] = []): PolicyDocument {
    return policyDocument({
        Sid: "ResolveFromTable",
        Effect: "Allow",
        Action: [...DATA_SOURCE_ACTIONS[role]],
        Resource: [tableArn, ...indexNames.map((index) => `${tableArn}/index/${index}`)],
    });
}

/**
 * The logging role: AppSync writes to the API's pre-created log group. CreateLogGroup is granted on
 * that one group because AppSync's documented logging role includes it (it calls it before writing);
 * the group already exists, so nothing else can be created.
 * https://docs.aws.amazon.com/appsync/latest/devguide/monitoring.html#setup-and-configuration
 */
export function appSyncLogsPolicy(logGroupArn: string): PolicyDocument {
    return policyDocument(
        { Sid: "KeepOwnLogGroup", Effect: "Allow", Action: "logs:CreateLogGroup", Resource: logGroupArn },
        { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:log-stream:*` },
    );
}
