/**
 * Names, table layouts, logging settings and argument checks of the application's data API
 * (AppSync + DynamoDB). Pure: no Pulumi imports, so the local GraphQL server and the tests use the
 * same definitions the component deploys.
 */
import { logRetentionProblem, problemsOf, throwIfInvalidArgs } from "../componentArgs";
import { physicalName } from "../names";
import { SESSIONS_BY_CREATED_AT_INDEX, VOTES_BY_ID_INDEX } from "./resolvers";

/** Physical names (`stark-ballot-simulator-<role>-<env>`). */
export const dataApiNames = {
    graphqlApi: (env: string) => physicalName("data", env),
    // Role names end in the scope like every other physical name, so `…-*-<scope>` patterns (the
    // bootstrap's deploy roles) cover them. Longest: `…-data-votingSessions-<12 chars>`, 55 of IAM's 64.
    logsRole: (env: string) => physicalName("data-logs", env),
    dataSourceRole: (role: string, env: string) => physicalName(`data-${role}`, env),
    votingSessionTable: (env: string) => physicalName("voting-sessions", env),
    voteTable: (env: string) => physicalName("votes", env),
    /** AppSync names the data sources; letters, digits and underscores only. */
    dataSource: (role: string) => role.replace(/[^A-Za-z0-9_]/g, "_"),
};

/**
 * The log group AppSync writes an API's logs to: `/aws/appsync/apis/<apiId>`. The stack creates it
 * with its retention, so AppSync never creates it with "never expire".
 * https://docs.aws.amazon.com/appsync/latest/devguide/monitoring.html#setup-and-configuration
 */
export const appSyncLogGroupName = (apiId: string) => `/aws/appsync/apis/${apiId}`;

export const DATA_API_DEFAULTS = {
    /**
     * Field logs only for fields in error, and never headers, context or evaluated templates: the
     * templates carry vote secrets (encrypted) and session documents.
     * https://docs.aws.amazon.com/appsync/latest/APIReference/API_LogConfig.html
     */
    fieldLogLevel: "ERROR",
    excludeVerboseContent: true,
    /** Only SigV4-signed calls with IAM credentials: no API key, no user pool, no public access. */
    authenticationType: "AWS_IAM",
} as const;

export interface GlobalIndex {
    name: string;
    hashKey: { name: string; type: "S" | "N" };
    rangeKey?: { name: string; type: "S" | "N" };
}

export interface DataTableLayout {
    hashKey: { name: string; type: "S" | "N" };
    rangeKey?: { name: string; type: "S" | "N" };
    /** Expiry attribute (epoch seconds), when TTL is enabled. */
    ttlAttribute?: string;
    globalIndexes: GlobalIndex[];
}

/**
 * VotingSession: keyed by id; the model's secondary index on createdAt; TTL on `ttl`, which the
 * application sets on every write (the earlier setup declared the field but never enabled expiry,
 * so sessions were kept forever).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 */
export const VOTING_SESSION_TABLE: DataTableLayout = {
    hashKey: { name: "id", type: "S" },
    ttlAttribute: "ttl",
    globalIndexes: [{ name: SESSIONS_BY_CREATED_AT_INDEX, hashKey: { name: "createdAt", type: "S" } }],
};

/**
 * Vote: identified by sessionId + voteIndex (the model's identifier, which is also its index by
 * sessionId sorted by voteIndex); the index by id serves `listVoteById`.
 */
export const VOTE_TABLE: DataTableLayout = {
    hashKey: { name: "sessionId", type: "S" },
    rangeKey: { name: "voteIndex", type: "N" },
    globalIndexes: [{ name: VOTES_BY_ID_INDEX, hashKey: { name: "id", type: "S" } }],
};

/** Key attributes, indexes and TTL of a table in the shape `aws.dynamodb.Table` takes. */
export function dataTableArgs(layout: DataTableLayout) {
    const attributes = new Map<string, "S" | "N">();
    for (const key of [layout.hashKey, layout.rangeKey, ...layout.globalIndexes.flatMap((i) => [i.hashKey, i.rangeKey])]) {
        if (key) attributes.set(key.name, key.type);
    }
    return {
        hashKey: layout.hashKey.name,
        rangeKey: layout.rangeKey?.name,
        attributes: [...attributes].map(([name, type]) => ({ name, type })),
        globalSecondaryIndexes: layout.globalIndexes.map((i) => ({
            name: i.name,
            hashKey: i.hashKey.name,
            rangeKey: i.rangeKey?.name,
            projectionType: "ALL",
        })),
        ttl: layout.ttlAttribute === undefined ? undefined : { attributeName: layout.ttlAttribute, enabled: true },
    };
}

/** The plain values that decide how the data API is built; checked before anything is created. */
export interface DataApiSettingsToCheck {
    environment: string;
    logRetentionDays: number;
}

/** Every problem of the arguments at once, each naming the argument and the rule. */
export function dataApiSettingsProblems(s: DataApiSettingsToCheck): string[] {
    const problems: string[] = [];
    // The API name (`stark-ballot-simulator-data-<env>`) must stay within AppSync's 65536 limit
    // trivially; the table names within DynamoDB's 3-255 of [a-zA-Z0-9_.-].
    if (!/^[a-z0-9-]{1,40}$/.test(s.environment)) {
        problems.push(`environment: "${s.environment}" must be 1-40 lower-case letters, digits or "-" (it is part of table and API names)`);
    }
    problems.push(...problemsOf(logRetentionProblem("logRetentionDays", s.logRetentionDays)));
    return problems;
}

export function validateDataApiSettings(name: string, s: DataApiSettingsToCheck): void {
    throwIfInvalidArgs("DataApi", name, dataApiSettingsProblems(s));
}
