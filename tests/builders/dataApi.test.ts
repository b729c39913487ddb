/** Pure parts of the data API: schema text, resolver table, IAM documents, table layouts, argument checks. */
import * as assert from "node:assert/strict";
import { DATA_API_RESOLVERS, DATA_SOURCE_ACTIONS, DEFAULT_LIST_LIMIT } from "../../builders/dataApi/resolvers";
import { DATA_API_OPERATIONS, dataApiSchema } from "../../builders/dataApi/schema";
import { appSyncLogsPolicy, appSyncTrustPolicy, callDataApiStatement, dataSourcePolicy, operationFieldArns } from "../../builders/dataApi/policies";
import { VOTE_TABLE, VOTING_SESSION_TABLE, appSyncLogGroupName, dataApiSettingsProblems, dataTableArgs, validateDataApiSettings } from "../../builders/dataApi/settings";
import {
    applicationBuildArgProblems,
    applicationEnvName,
    applicationEnvironment,
    applicationPolicyStatements,
    secretParametersVariable,
} from "../../builders/applicationBuilds";
import { buildSchema } from "graphql";

const ctx = { partition: "aws-cn", region: "cn-north-1", accountId: "210987654321" };

describe("data API schema", () => {
    const schema = buildSchema(
        // AppSync's scalars, declared for graphql-js (AppSync defines them itself).
        "scalar AWSJSON\nscalar AWSDateTime\n" + dataApiSchema(),
    );

    it("Query and Mutation have exactly the application's operations", () => {
        assert.deepEqual(Object.keys(schema.getQueryType()!.getFields()), [...DATA_API_OPERATIONS.Query]);
        assert.deepEqual(Object.keys(schema.getMutationType()!.getFields()), [...DATA_API_OPERATIONS.Mutation]);
        assert.equal(schema.getSubscriptionType(), undefined);
    });

    it("the arguments the application passes, with its types", () => {
        const args = (type: "Query" | "Mutation", field: string) =>
            Object.fromEntries((type === "Query" ? schema.getQueryType()! : schema.getMutationType()!).getFields()[field].args.map((a) => [a.name, String(a.type)]));
        assert.deepEqual(args("Query", "getVotingSession"), { id: "ID!" });
        assert.deepEqual(args("Query", "listVotingSessions"), { limit: "Int", nextToken: "String" });
        assert.deepEqual(args("Query", "listVoteBySessionIdAndVoteIndex"), { sessionId: "ID!", limit: "Int", nextToken: "String" });
        assert.deepEqual(args("Query", "listVoteById"), { id: "ID!", limit: "Int", nextToken: "String" });
        assert.deepEqual(args("Mutation", "createVotingSession"), { input: "CreateVotingSessionInput!" });
        assert.deepEqual(args("Mutation", "updateVotingSession"), { input: "UpdateVotingSessionInput!" });
        assert.deepEqual(args("Mutation", "createVote"), { input: "CreateVoteInput!" });
    });

    it("the two models' fields, and connections of {items, nextToken}", () => {
        const fields = (name: string) => Object.fromEntries(Object.values((schema.getType(name) as any).getFields()).map((f: any) => [f.name, String(f.type)]));
        assert.deepEqual(fields("VotingSession"), {
            id: "ID!", electionId: "String!", contractGeneration: "String", finalizationArtifactState: "String", electionConfigHash: "String",
            electionConfigJson: "AWSJSON", logId: "String", botCount: "Int", finalized: "Boolean", userVoteIndex: "Int", ttl: "Int",
            createdAt: "AWSDateTime", lastActivity: "AWSDateTime", finalizationResultJson: "AWSJSON", bulletinRootHistoryJson: "AWSJSON", updatedAt: "AWSDateTime!",
        });
        assert.deepEqual(fields("Vote"), {
            id: "ID!", sessionId: "ID!", voteIndex: "Int!", choice: "String!", random: "String!", commitment: "String!", timestamp: "AWSDateTime",
            rootAtCast: "String", isUserVote: "Boolean", createdAt: "AWSDateTime!", updatedAt: "AWSDateTime!",
        });
        assert.deepEqual(fields("ModelVotingSessionConnection"), { items: "[VotingSession]!", nextToken: "String" });
        assert.deepEqual(fields("ModelVoteConnection"), { items: "[Vote]!", nextToken: "String" });
        assert.deepEqual(fields("UpdateVotingSessionInput").id, "ID!");
        assert.deepEqual(fields("UpdateVotingSessionInput").electionId, "String");
        assert.deepEqual(fields("CreateVotingSessionInput").id, "ID");
        assert.deepEqual(fields("CreateVoteInput").voteIndex, "Int!");
    });
});

describe("data API resolvers", () => {
    it("one resolver per operation, in the schema, none twice", () => {
        const keys = DATA_API_RESOLVERS.map((r) => `${r.typeName}.${r.fieldName}`);
        assert.deepEqual([...keys].sort(), [...DATA_API_OPERATIONS.Query.map((f) => `Query.${f}`), ...DATA_API_OPERATIONS.Mutation.map((f) => `Mutation.${f}`)].sort());
    });

    it("each data source's role allows exactly the DynamoDB operations its templates issue", () => {
        for (const role of ["votingSessions", "votes"] as const) {
            const operations = new Set(DATA_API_RESOLVERS.filter((r) => r.dataSource === role).map((r) => /"operation": "(\w+)"/.exec(r.requestTemplate)![1]));
            assert.deepEqual([...operations].map((o) => `dynamodb:${o}`).sort(), [...DATA_SOURCE_ACTIONS[role]].sort(), role);
        }
    });

    it("every request is rendered by $util.toJson (no argument spliced into JSON text) and every response raises the data source's error", () => {
        for (const r of DATA_API_RESOLVERS) {
            assert.match(r.requestTemplate.trim(), /\$util\.toJson\([\s\S]*\)$/, `${r.fieldName} request`);
            assert.match(r.responseTemplate, /#if\(\$ctx\.error\)\s+\$util\.error\(\$ctx\.error\.message, \$ctx\.error\.type\)/, `${r.fieldName} response`);
        }
        assert.equal(DEFAULT_LIST_LIMIT, 100);
    });
});

describe("data API IAM documents", () => {
    it("the call statement names exactly the seven field ARNs", () => {
        const arns = operationFieldArns(ctx, "abc123");
        assert.deepEqual(arns, [
            "arn:aws-cn:appsync:cn-north-1:210987654321:apis/abc123/types/Query/fields/getVotingSession",
            "arn:aws-cn:appsync:cn-north-1:210987654321:apis/abc123/types/Query/fields/listVotingSessions",
            "arn:aws-cn:appsync:cn-north-1:210987654321:apis/abc123/types/Query/fields/listVoteBySessionIdAndVoteIndex",
            "arn:aws-cn:appsync:cn-north-1:210987654321:apis/abc123/types/Query/fields/listVoteById",
            "arn:aws-cn:appsync:cn-north-1:210987654321:apis/abc123/types/Mutation/fields/createVotingSession",
            "arn:aws-cn:appsync:cn-north-1:210987654321:apis/abc123/types/Mutation/fields/updateVotingSession",
            "arn:aws-cn:appsync:cn-north-1:210987654321:apis/abc123/types/Mutation/fields/createVote",
        ]);
        assert.deepEqual(callDataApiStatement(ctx, "abc123"), { Sid: "CallDataApiOperations", Effect: "Allow", Action: "appsync:GraphQL", Resource: arns });
    });

    it("data source, trust and logs documents", () => {
        assert.deepEqual(dataSourcePolicy("votes", "arn:t", ["votesById"]).Statement, [
            { Sid: "ResolveFromTable", Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:Query"], Resource: ["arn:t", "arn:t/index/votesById"] },
        ]);
        assert.deepEqual(appSyncTrustPolicy(ctx, "abc123").Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": "210987654321" },
            ArnLike: { "aws:SourceArn": "arn:aws-cn:appsync:cn-north-1:210987654321:apis/abc123" },
        });
        assert.deepEqual(appSyncLogsPolicy("arn:g").Statement.map((s) => [s.Action, s.Resource]), [
            ["logs:CreateLogGroup", "arn:g"],
            [["logs:CreateLogStream", "logs:PutLogEvents"], "arn:g:log-stream:*"],
        ]);
        assert.equal(appSyncLogGroupName("abc123"), "/aws/appsync/apis/abc123");
    });
});

describe("data API tables and settings", () => {
    it("table args: keys, index attributes once, TTL only on VotingSession", () => {
        assert.deepEqual(dataTableArgs(VOTING_SESSION_TABLE), {
            hashKey: "id",
            rangeKey: undefined,
            attributes: [{ name: "id", type: "S" }, { name: "createdAt", type: "S" }],
            globalSecondaryIndexes: [{ name: "votingSessionsByCreatedAt", hashKey: "createdAt", rangeKey: undefined, projectionType: "ALL" }],
            ttl: { attributeName: "ttl", enabled: true },
        });
        assert.equal(dataTableArgs(VOTE_TABLE).ttl, undefined);
    });

    it("reports every problem at once and throws before anything exists", () => {
        assert.deepEqual(dataApiSettingsProblems({ environment: "develop", logRetentionDays: 7 }), []);
        assert.deepEqual(dataApiSettingsProblems({ environment: "Dev Stack", logRetentionDays: 10 }), [
            'environment: "Dev Stack" must be 1-40 lower-case letters, digits or "-" (it is part of table and API names)',
            "logRetentionDays: 10 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
        ]);
        assert.throws(() => validateDataApiSettings("data", { environment: "develop", logRetentionDays: 0 }), /^Error: DataApi data: invalid arguments \(1\):\n {2}- logRetentionDays: 0/);
    });
});

describe("application builds (pure)", () => {
    const build = { path: "b", handler: "h.handler" };
    const values = {
        environment: "main",
        region: "ap-northeast-1",
        dataApiEndpoint: "https://x.appsync-api.ap-northeast-1.amazonaws.com/graphql",
        dataApiId: "x",
        proofBucketName: "bundles",
        proofPrefix: "sessions/",
        stateMachineArn: "arn:sm",
        workQueueUrl: "https://q",
        rateLimitEventsTable: "events",
        rateLimitCountersTable: "counters",
        dispatchConcurrency: 3,
        secretParameters: '{"A":"/p"}',
        proverImageParameter: "/stark-ballot-simulator/main/prover-image",
    };

    it("main runs as the application's 'production'; other environments keep their name", () => {
        assert.equal(applicationEnvName("main"), "production");
        assert.equal(applicationEnvName("develop"), "develop");
    });

    it("the finalize callback's environment: data API, bucket and prefix, names; no secrets map", () => {
        assert.deepEqual(applicationEnvironment("finalizeCallback", build, values), {
            APP_HANDLER: "h.handler",
            AMPLIFY_DATA_ENDPOINT: values.dataApiEndpoint,
            AMPLIFY_DATA_API_ID: "x",
            AMPLIFY_DATA_REGION: "ap-northeast-1",
            S3_PROOF_BUCKET: "bundles",
            S3_PROOF_PREFIX: "sessions/",
            ENV_NAME: "production",
            AWS_BRANCH: "main",
            AMPLIFY_BRANCH: "main",
        });
        assert.equal(applicationEnvironment("api", build, values).PROVER_LAMBDA_CONCURRENCY, "3");
        assert.equal(applicationEnvironment("api", build, values).APP_SECRET_PARAMETER_MAP, '{"A":"/p"}');
    });

    it("the secrets map names the variables the application reads", () => {
        assert.equal(
            secretParametersVariable({ sessionCapabilitySecret: "/a", voteEncryptionKey: "/b", captchaSecret: "/c" }),
            '{"SESSION_CAPABILITY_SECRET":"/a","VOTE_SECRET_ENCRYPTION_KEY":"/b","TURNSTILE_SECRET_KEY":"/c"}',
        );
    });

    it("extra statements: dispatch only calls the API; an empty prefix lists the whole bucket, nothing wider", () => {
        const call = { Sid: "CallDataApiOperations", Effect: "Allow" as const, Action: "appsync:GraphQL", Resource: ["arn:f"] };
        const a = { ctx, bucketName: "bundles", proofPrefix: "", workQueueArn: "arn:q", callDataApi: call };
        assert.deepEqual(applicationPolicyStatements("proverDispatch", a), [call]);
        assert.deepEqual(applicationPolicyStatements("finalizeCallback", a)[2].Condition, { StringLike: { "s3:prefix": "*" } });
        assert.equal(applicationPolicyStatements("finalizeCallback", a)[1].Resource, "arn:aws-cn:s3:::bundles/*");
    });

    it("argument problems: builds need the data API; apiHandlerPath excludes an api build", () => {
        assert.deepEqual(applicationBuildArgProblems({ hasDataApi: false }), []);
        assert.deepEqual(applicationBuildArgProblems({ builds: { proverDispatch: build }, hasDataApi: false, apiHandlerPath: "x" }), [
            "applicationBuilds (proverDispatch): the application's builds reach their data only through the data API; pass dataApi",
        ]);
        assert.deepEqual(applicationBuildArgProblems({ builds: { api: build }, hasDataApi: true, apiHandlerPath: "x" }), [
            "apiHandlerPath and applicationBuilds.api: set one of them (both name the api function's code)",
        ]);
    });
});

describe("DataApi component guard", () => {
    it("throws before registering anything (no Pulumi runtime is even needed)", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { DataApi } = require("../../components/dataApi") as typeof import("../../components/dataApi");
        const ctx2 = { partition: "aws", region: "ap-northeast-1", accountId: "123456789012" };
        assert.throws(() => new DataApi("data", { environment: "develop", awsContext: ctx2, logRetentionDays: 8 }), /DataApi data: invalid arguments \(1\):\n {2}- logRetentionDays: 8 is not a retention/);
    });
});
