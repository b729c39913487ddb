/**
 * The application's data API (replaces what Amplify Data managed): an AppSync GraphQL API with IAM
 * authorization only, the VotingSession and Vote tables, one VTL resolver per operation the
 * application sends, and the field-scoped grant its functions need.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, PolicyStatement, serviceTrustPolicy } from "../builders/policies/document";
import { appSyncLogsPolicy, appSyncTrustPolicy, callDataApiStatement, dataSourcePolicy } from "../builders/dataApi/policies";
import { DATA_API_RESOLVERS, DataSourceRole, VOTES_BY_ID_INDEX } from "../builders/dataApi/resolvers";
import { dataApiSchema } from "../builders/dataApi/schema";
import {
    DATA_API_DEFAULTS,
    DataTableLayout,
    VOTE_TABLE,
    VOTING_SESSION_TABLE,
    appSyncLogGroupName,
    dataApiNames,
    dataTableArgs,
    validateDataApiSettings,
} from "../builders/dataApi/settings";
import { retainedLogGroup } from "./retainedLogGroup";

export interface DataApiArgs {
    /** Environment name (develop or main). Required. */
    environment: string;
    /**
     * Suffix of every physical name (builders/names.ts): the stack's name scope, so a second stack
     * in the account collides with nothing. Default: `environment`.
     */
    nameScope?: string;
    /** Partition, region and account of the stack. Required. */
    awsContext: pulumi.Input<AwsContext>;
    /** Retention of the API's log group (the stack's). Required. */
    logRetentionDays: number;
    /** `protect` the tables (with their deletion protection) and the log group. Default: false. */
    protectStatefulResources?: boolean;
}

/** Per data source: its table layout and the indexes its resolvers query. */
const DATA_SOURCES: Record<DataSourceRole, { table: (env: string) => string; layout: DataTableLayout; queriedIndexes: string[] }> = {
    votingSessions: { table: dataApiNames.votingSessionTable, layout: VOTING_SESSION_TABLE, queriedIndexes: [] },
    votes: { table: dataApiNames.voteTable, layout: VOTE_TABLE, queriedIndexes: [VOTES_BY_ID_INDEX] },
};

export class DataApi extends pulumi.ComponentResource {
    readonly apiId: pulumi.Output<string>;
    readonly apiArn: pulumi.Output<string>;
    /** `https://<apiId>.appsync-api.<region>.amazonaws.com/graphql` (AMPLIFY_DATA_ENDPOINT). */
    readonly graphqlEndpoint: pulumi.Output<string>;
    readonly votingSessionTableName: pulumi.Output<string>;
    readonly voteTableName: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    /**
     * The statement a caller's role needs: `appsync:GraphQL` on exactly the application's Query and
     * Mutation fields. The app layer adds it to its functions' policies.
     */
    readonly callStatement: pulumi.Output<PolicyStatement>;

    constructor(name: string, args: DataApiArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super: a bad argument must fail before this component or any child is registered.
        validateDataApiSettings(name, { environment: args.environment, logRetentionDays: args.logRetentionDays });
        super("stark:app:DataApi", name, {}, opts);
        const scope = args.nameScope ?? args.environment;
        const ctx = pulumi.output(args.awsContext);
        const protect = args.protectStatefulResources ?? false;
        const child = { parent: this };
        // Sessions and votes cannot be recreated, and the log group is the record of failed calls:
        // in main neither Pulumi (protect) nor, for tables, a direct API call may delete them.
        const stateful = { parent: this, protect };

        // ---- Tables ----------------------------------------------------------------------------------
        const tables = Object.fromEntries(
            (Object.keys(DATA_SOURCES) as DataSourceRole[]).map((role) => [
                role,
                new aws.dynamodb.Table(
                    `${name}-${role}-table`,
                    {
                        name: DATA_SOURCES[role].table(scope),
                        billingMode: "PAY_PER_REQUEST",
                        ...dataTableArgs(DATA_SOURCES[role].layout),
                        pointInTimeRecovery: { enabled: true },
                        // The AWS-managed key (aws/dynamodb) instead of an AWS-owned one: its use shows in CloudTrail.
                        serverSideEncryption: { enabled: true },
                        deletionProtectionEnabled: protect,
                    },
                    stateful,
                ),
            ]),
        ) as Record<DataSourceRole, aws.dynamodb.Table>;

        // ---- API and its logs ------------------------------------------------------------------------
        const apiName = dataApiNames.graphqlApi(scope);
        // The logging role exists before the API (the API names it); its trust is limited to this
        // account's AppSync APIs because the API's own ARN does not exist yet.
        const logsRole = new aws.iam.Role(
            `${name}-logs-role`,
            {
                name: dataApiNames.logsRole(scope),
                description: `AppSync ${apiName} writes its field logs`,
                assumeRolePolicy: ctx.apply((c) => JSON.stringify(serviceTrustPolicy("appsync.amazonaws.com", c, `arn:${c.partition}:appsync:${c.region}:${c.accountId}:apis/*`))),
            },
            child,
        );
        const api = new aws.appsync.GraphQLApi(
            `${name}-graphql`,
            {
                name: apiName,
                // IAM only: no API key, user pool, OIDC or Lambda authorizer, no additional providers.
                authenticationType: DATA_API_DEFAULTS.authenticationType,
                schema: dataApiSchema(),
                logConfig: {
                    cloudwatchLogsRoleArn: logsRole.arn,
                    fieldLogLevel: DATA_API_DEFAULTS.fieldLogLevel,
                    excludeVerboseContent: DATA_API_DEFAULTS.excludeVerboseContent,
                },
                // The application never introspects; callers need not learn the schema from the API.
                // https://docs.aws.amazon.com/appsync/latest/devguide/configuration-limits.html
                introspectionConfig: "DISABLED",
                visibility: "GLOBAL",
            },
            child,
        );
        // AppSync writes to /aws/appsync/apis/<apiId>; created here with the stack's retention. The logs
        // role gets its policy only after the group exists, so AppSync can never create the group first
        // (with "never expire" retention, and failing this create).
        // https://docs.aws.amazon.com/appsync/latest/devguide/monitoring.html
        const logGroup = retainedLogGroup(`${name}-logs`, api.id.apply(appSyncLogGroupName), args.logRetentionDays, stateful);
        new aws.iam.RolePolicy(
            `${name}-logs-policy`,
            { role: logsRole.id, name: "write-own-log-group", policy: logGroup.arn.apply((arn) => JSON.stringify(appSyncLogsPolicy(arn))) },
            child,
        );

        createResolvers(name, scope, ctx, api, tables, this);

        this.apiId = api.id;
        this.apiArn = api.arn;
        this.graphqlEndpoint = api.uris.apply((uris) => uris["GRAPHQL"]);
        this.votingSessionTableName = tables.votingSessions.name;
        this.voteTableName = tables.votes.name;
        this.logGroupName = logGroup.name;
        // Resolved only once the log group exists: no caller is granted before failures can be recorded.
        this.callStatement = pulumi.output({ c: ctx, apiId: api.id, logGroupArn: logGroup.arn }).apply(({ c, apiId }) => callDataApiStatement(c, apiId));
        this.registerOutputs({
            apiId: this.apiId,
            apiArn: this.apiArn,
            graphqlEndpoint: this.graphqlEndpoint,
            votingSessionTableName: this.votingSessionTableName,
            voteTableName: this.voteTableName,
            logGroupName: this.logGroupName,
            callStatement: this.callStatement,
        });
    }
}

/** One role and data source per table (the role reads exactly that table), and the resolvers of every field. */
function createResolvers(name: string, scope: string, ctx: pulumi.Output<AwsContext>, api: aws.appsync.GraphQLApi, tables: Record<DataSourceRole, aws.dynamodb.Table>, parent: pulumi.Resource): void {
    const child = { parent };
    const apiName = dataApiNames.graphqlApi(scope);
    const dataSources = Object.fromEntries(
        (Object.keys(DATA_SOURCES) as DataSourceRole[]).map((role) => {
            const table = tables[role];
            const roleResource = new aws.iam.Role(
                `${name}-${role}-source-role`,
                {
                    name: dataApiNames.dataSourceRole(role, scope),
                    description: `AppSync ${apiName} resolves from ${DATA_SOURCES[role].table(scope)}`,
                    assumeRolePolicy: pulumi.output({ c: ctx, apiId: api.id }).apply(({ c, apiId }) => JSON.stringify(appSyncTrustPolicy(c, apiId))),
                },
                child,
            );
            const policy = new aws.iam.RolePolicy(
                `${name}-${role}-source-policy`,
                { role: roleResource.id, name: "resolve-from-table", policy: table.arn.apply((arn) => JSON.stringify(dataSourcePolicy(role, arn, DATA_SOURCES[role].queriedIndexes))) },
                child,
            );
            const source = new aws.appsync.DataSource(
                `${name}-${role}-source`,
                {
                    apiId: api.id,
                    name: dataApiNames.dataSource(role),
                    type: "AMAZON_DYNAMODB",
                    serviceRoleArn: roleResource.arn,
                    dynamodbConfig: { tableName: table.name },
                },
                // Resolvers must not run before the role may read the table.
                { parent, dependsOn: [policy] },
            );
            return [role, source];
        }),
    ) as Record<DataSourceRole, aws.appsync.DataSource>;

    for (const r of DATA_API_RESOLVERS) {
        new aws.appsync.Resolver(
            `${name}-${r.typeName.toLowerCase()}-${r.fieldName}`,
            {
                apiId: api.id,
                type: r.typeName,
                field: r.fieldName,
                kind: "UNIT",
                dataSource: dataSources[r.dataSource].name,
                requestTemplate: r.requestTemplate,
                responseTemplate: r.responseTemplate,
            },
            child,
        );
    }
}
