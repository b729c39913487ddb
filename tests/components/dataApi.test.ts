/**
 * The data API and the application builds, synthesized under mocks for both committed stacks, with
 * and without application builds configured. The resolver templates asserted here are the ones
 * tests/local/dataApi.test.ts executes.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DATA_API_RESOLVERS } from "../../builders/dataApi/resolvers";
import { dataApiSchema } from "../../builders/dataApi/schema";
import { bundleHandler } from "../../components/lambdaCode";
import { SynthResult } from "../../scripts/lib/synthesize";
import { evaluatePolicies } from "../../policy-pack/policies";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { find, findAll, json, statementsBySid, synth } from "../support/synth";
import { ACCOUNT, at, created, KEY, n, REGION } from "../support/mockAccount";

const ROOT_DIR = path.resolve(__dirname, "..", "..");

/** Relative paths of every file under `dir`, sorted. */
function listFiles(dir: string, prefix = ""): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
        .sort();
}

const FUNCTION = "aws:lambda/function:Function";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const GRAPHQL_API = "aws:appsync/graphQLApi:GraphQLApi";
const OPERATIONS = [
    "Query/fields/getVotingSession",
    "Query/fields/listVotingSessions",
    "Query/fields/listVoteBySessionIdAndVoteIndex",
    "Query/fields/listVoteById",
    "Mutation/fields/createVotingSession",
    "Mutation/fields/updateVotingSession",
    "Mutation/fields/createVote",
];

function dataApi(r: SynthResult) {
    const api = find(r, GRAPHQL_API, "data-graphql");
    const id = created(api).id;
    const apiArn = `arn:aws:appsync:${at}:apis/${id}`;
    return { api, id, apiArn, endpoint: `https://${id}.appsync-api.${REGION}.amazonaws.com/graphql`, fieldArns: OPERATIONS.map((o) => `${apiArn}/types/${o}`) };
}

for (const env of ["develop", "main"] as const) {
    describe(`DataApi in ${env} (synthesized, reference handlers)`, function () {
        this.timeout(120000);
        let r: SynthResult;
        before(async () => {
            r = await synth(env);
        });

        it("GraphQL API: IAM authorization only, the application's schema, ERROR field logs without verbose content, no introspection", () => {
            const { api } = dataApi(r);
            const logsRole = created(find(r, "aws:iam/role:Role", "data-logs-role"));
            assert.deepEqual(api.inputs, {
                name: n("data", env),
                authenticationType: "AWS_IAM",
                schema: dataApiSchema(),
                logConfig: { cloudwatchLogsRoleArn: logsRole.state.arn, fieldLogLevel: "ERROR", excludeVerboseContent: true },
                introspectionConfig: "DISABLED",
                visibility: "GLOBAL",
            });
            assert.equal(findAll(r, GRAPHQL_API).length, 1);
            assert.equal(findAll(r, "aws:appsync/apiKey:ApiKey").length, 0, "no API key exists");
        });

        it(`its own log group /aws/appsync/apis/<apiId>, retained ${env === "main" ? 14 : 7} days${env === "main" ? " and protected" : ""}; the logs role writes only there`, () => {
            const { id, apiArn } = dataApi(r);
            const group = find(r, "aws:cloudwatch/logGroup:LogGroup", "data-logs");
            assert.deepEqual(group.inputs, { name: `/aws/appsync/apis/${id}`, retentionInDays: env === "main" ? 14 : 7 });
            assert.equal(group.protect, env === "main");
            const groupArn = `arn:aws:logs:${at}:log-group:/aws/appsync/apis/${id}`;
            assert.deepEqual(json(find(r, ROLE_POLICY, "data-logs-policy"), "policy").Statement, [
                { Sid: "KeepOwnLogGroup", Effect: "Allow", Action: "logs:CreateLogGroup", Resource: groupArn },
                { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${groupArn}:log-stream:*` },
            ]);
            assert.deepEqual(json(find(r, "aws:iam/role:Role", "data-logs-role"), "assumeRolePolicy").Statement[0].Condition, {
                StringEquals: { "aws:SourceAccount": ACCOUNT },
                ArnLike: { "aws:SourceArn": `arn:aws:appsync:${at}:apis/*` },
            });
            // The ARN the program is given for the API is the one the other assertions derive (apis/<id>).
            assert.equal(created(find(r, GRAPHQL_API, "data-graphql")).state.arn, apiArn);
        });

        it("tables: keys, indexes, TTL on VotingSession.ttl, on-demand, PITR, encryption, deletion protection and protect in main only", () => {
            const sessions = find(r, "aws:dynamodb/table:Table", "data-votingSessions-table");
            const votes = find(r, "aws:dynamodb/table:Table", "data-votes-table");
            const common = {
                billingMode: "PAY_PER_REQUEST",
                pointInTimeRecovery: { enabled: true },
                serverSideEncryption: { enabled: true },
                deletionProtectionEnabled: env === "main",
            };
            assert.deepEqual(sessions.inputs, {
                ...common,
                name: n("voting-sessions", env),
                hashKey: "id",
                attributes: [{ name: "id", type: "S" }, { name: "createdAt", type: "S" }],
                globalSecondaryIndexes: [{ name: "votingSessionsByCreatedAt", hashKey: "createdAt", projectionType: "ALL" }],
                ttl: { attributeName: "ttl", enabled: true },
            });
            assert.deepEqual(votes.inputs, {
                ...common,
                name: n("votes", env),
                hashKey: "sessionId",
                rangeKey: "voteIndex",
                attributes: [{ name: "sessionId", type: "S" }, { name: "voteIndex", type: "N" }, { name: "id", type: "S" }],
                globalSecondaryIndexes: [{ name: "votesById", hashKey: "id", projectionType: "ALL" }],
            });
            assert.equal(sessions.protect, env === "main");
            assert.equal(votes.protect, env === "main");
        });

        it("data sources: one per table, each with its own role trusted only by this API, allowed only its templates' actions", () => {
            const { id, apiArn } = dataApi(r);
            const expected = {
                votingSessions: { table: n("voting-sessions", env), actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Scan"], indexes: [] as string[] },
                votes: { table: n("votes", env), actions: ["dynamodb:PutItem", "dynamodb:Query"], indexes: ["votesById"] },
            };
            for (const [role, e] of Object.entries(expected)) {
                const roleResource = find(r, "aws:iam/role:Role", `data-${role}-source-role`);
                const source = find(r, "aws:appsync/dataSource:DataSource", `data-${role}-source`);
                assert.deepEqual(source.inputs, {
                    apiId: id,
                    name: role,
                    type: "AMAZON_DYNAMODB",
                    serviceRoleArn: created(roleResource).state.arn,
                    dynamodbConfig: { tableName: e.table },
                });
                assert.deepEqual(json(roleResource, "assumeRolePolicy").Statement, [
                    {
                        Sid: "AllowServiceAssumeRole",
                        Effect: "Allow",
                        Principal: { Service: "appsync.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": apiArn } },
                    },
                ]);
                const tableArn = `arn:aws:dynamodb:${at}:table/${e.table}`;
                assert.deepEqual(json(find(r, ROLE_POLICY, `data-${role}-source-policy`), "policy").Statement, [
                    { Sid: "ResolveFromTable", Effect: "Allow", Action: e.actions, Resource: [tableArn, ...e.indexes.map((i) => `${tableArn}/index/${i}`)] },
                ]);
            }
        });

        it("resolvers: exactly the application's seven operations, VTL units with the templates the local server executes", () => {
            const { id } = dataApi(r);
            const resolvers = findAll(r, "aws:appsync/resolver:Resolver");
            assert.equal(resolvers.length, 7);
            for (const def of DATA_API_RESOLVERS) {
                const resolver = find(r, "aws:appsync/resolver:Resolver", `data-${def.typeName.toLowerCase()}-${def.fieldName}`);
                assert.deepEqual(resolver.inputs, {
                    apiId: id,
                    type: def.typeName,
                    field: def.fieldName,
                    kind: "UNIT",
                    dataSource: def.dataSource,
                    requestTemplate: def.requestTemplate,
                    responseTemplate: def.responseTemplate,
                });
            }
        });

        it("outputs: endpoint, id and region, also in appEnvironment under the application's names", () => {
            const { id, endpoint } = dataApi(r);
            assert.equal(r.outputs.dataApiGraphqlEndpoint, endpoint);
            assert.equal(r.outputs.dataApiId, id);
            assert.equal(r.outputs.dataApiRegion, REGION);
            const appEnv = r.outputs.appEnvironment as Record<string, string>;
            assert.equal(appEnv.AMPLIFY_DATA_ENDPOINT, endpoint);
            assert.equal(appEnv.AMPLIFY_DATA_API_ID, id);
            assert.equal(appEnv.AMPLIFY_DATA_REGION, REGION);
            assert.equal(appEnv.RATE_LIMIT_EVENTS_TABLE, n("rate-limit", env));
            assert.equal(appEnv.RATE_LIMIT_COUNTERS_TABLE, n("rate-limit-keys", env));
        });

        it("without application builds nothing may call the data API: no role holds appsync:GraphQL; the reference handlers run", () => {
            const grants = findAll(r, ROLE_POLICY).filter((p) => JSON.stringify(json(p, "policy")).includes("appsync:"));
            assert.deepEqual(grants.map((p) => p.name), []);
            for (const fn of ["app-api-function", "app-prover-dispatch-function", "app-finalize-callback-function"]) {
                const variables = find(r, FUNCTION, fn).inputs.environment.variables as Record<string, string>;
                assert.equal(variables.APP_HANDLER, undefined, fn);
                assert.equal(variables.AMPLIFY_DATA_ENDPOINT, undefined, fn);
            }
        });
    });
}

/** Three application builds (directories) like the application's function bundles. */
function makeBuilds(): { root: string; builds: Record<string, { path: string; handler: string }> } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "app-builds-"));
    const builds: Record<string, { path: string; handler: string }> = {};
    for (const [fn, module] of [
        ["api", "amplify/functions/hono-api/handler"],
        ["proverDispatch", "amplify/functions/prover-dispatch-proxy/handler"],
        ["finalizeCallback", "amplify/functions/finalize-callback-runner/handler"],
    ]) {
        const dir = path.join(root, fn);
        fs.mkdirSync(path.join(dir, path.dirname(module)), { recursive: true });
        fs.writeFileSync(path.join(dir, `${module}.js`), `exports.handler = async () => "${fn}";\n`);
        builds[fn] = { path: dir, handler: `${module}.handler` };
    }
    return { root, builds };
}

for (const env of ["develop", "main"] as const) {
    describe(`application builds in ${env} (synthesized)`, function () {
        this.timeout(120000);
        const { root, builds } = makeBuilds();
        const SECRETS = { sessionCapabilitySecret: `cap-${env}-7f3a91`, voteEncryptionKey: `vote-${env}-2c8e44`, captchaSecret: `captcha-${env}-5d1b07` };
        let r: SynthResult;
        before(async () => {
            r = await synth(env, {
                configOverrides: { [KEY("applicationBuilds")]: builds },
                secrets: Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [KEY(k), v])),
            });
        });
        after(() => fs.rmSync(root, { recursive: true, force: true }));

        const bucket = `stark-ballot-simulator-proof-bundles-${env}-${ACCOUNT}`;
        const common = (fn: string) => ({
            APP_HANDLER: builds[fn].handler,
            AMPLIFY_DATA_ENDPOINT: dataApi(r).endpoint,
            AMPLIFY_DATA_API_ID: dataApi(r).id,
            AMPLIFY_DATA_REGION: REGION,
            S3_PROOF_BUCKET: bucket,
            S3_PROOF_PREFIX: "sessions/",
            ENV_NAME: env === "main" ? "production" : "develop",
            AWS_BRANCH: env,
            AMPLIFY_BRANCH: env,
        });
        const stateMachineArn = `arn:aws:states:${at}:stateMachine:${n("prover-dispatcher", env)}`;

        it("each function runs the secrets wrapper (index.handler) with the application's build under app/", async () => {
            const wrapper = bundleHandler("lambdas/app-wrapper/index.ts");
            for (const [fn, resource] of [
                ["api", "app-api-function"],
                ["proverDispatch", "app-prover-dispatch-function"],
                ["finalizeCallback", "app-finalize-callback-function"],
            ]) {
                const inputs = find(r, FUNCTION, resource).inputs;
                assert.equal(inputs.handler, "index.handler");
                // A file archive of a directory (no code as text in the state): the wrapper's bundle, the build under app/.
                const dir: string = await inputs.code.path;
                assert.equal(typeof dir, "string", `${fn} code is a FileArchive`);
                assert.deepEqual(fs.readdirSync(dir).sort(), ["app", "handler.js", "handler.js.map", "index.js"]);
                for (const file of fs.readdirSync(wrapper.dir)) {
                    assert.ok(fs.readFileSync(path.join(dir, file)).equals(fs.readFileSync(path.join(wrapper.dir, file))), `${fn} ${file} is the bundled lambdas/app-wrapper`);
                }
                const build = path.resolve(ROOT_DIR, builds[fn].path);
                assert.deepEqual(listFiles(path.join(dir, "app")), listFiles(build), `${fn} app/ holds the build as is`);
            }
        });

        it("environments: exactly the variables the application reads, with the stack's values; secret parameter names only", () => {
            assert.deepEqual(find(r, FUNCTION, "app-finalize-callback-function").inputs.environment.variables, common("finalizeCallback"));
            assert.deepEqual(find(r, FUNCTION, "app-prover-dispatch-function").inputs.environment.variables, { ...common("proverDispatch"), PROVER_STATE_MACHINE_ARN: stateMachineArn });
            assert.deepEqual(find(r, FUNCTION, "app-api-function").inputs.environment.variables, {
                ...common("api"),
                USE_AMPLIFY_DATA: "true",
                USE_S3: "true",
                PROVER_WORK_QUEUE_URL: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${n("prover-work", env)}`,
                PROVER_STATE_MACHINE_ARN: stateMachineArn,
                PROVER_LAMBDA_CONCURRENCY: "2",
                FINALIZE_ASYNC_MODE: "true",
                PROVER_STEP_FUNCTIONS_ENABLED: "true",
                RATE_LIMIT_STORE: "dynamo",
                RATE_LIMIT_EVENTS_TABLE: n("rate-limit", env),
                RATE_LIMIT_COUNTERS_TABLE: n("rate-limit-keys", env),
                APP_SECRET_PARAMETER_MAP: JSON.stringify({
                    SESSION_CAPABILITY_SECRET: `/stark-ballot-simulator/${env}/session-capability-secret`,
                    VOTE_SECRET_ENCRYPTION_KEY: `/stark-ballot-simulator/${env}/vote-encryption-key`,
                    TURNSTILE_SECRET_KEY: `/stark-ballot-simulator/${env}/captcha-secret`,
                }),
                // The record's name, not the image id: the wrapper sets EXPECTED_IMAGE_ID from it at cold start.
                APP_PROVER_IMAGE_PARAMETER: `/stark-ballot-simulator/${env}/prover-image`,
            });
        });

        it("secret values appear nowhere in plain text: not in any input, output or function environment", () => {
            assert.deepEqual(r.placeholderSecrets, []);
            const plain = JSON.stringify(r.resources.map((res) => res.inputs), (_k, v) => (v && typeof v === "object" && v[specialSigKey] === specialSecretSig ? "[secret]" : v)) + JSON.stringify(r.outputs);
            for (const secret of Object.values(SECRETS)) assert.ok(!plain.includes(secret), `${secret} in plain text`);
        });

        it("roles: each application function may call exactly the seven operations; api and finalize get their extra reads", () => {
            const { fieldArns } = dataApi(r);
            const call = { Sid: "CallDataApiOperations", Effect: "Allow", Action: "appsync:GraphQL", Resource: fieldArns };
            const listPrefix = {
                Sid: "ListProofPrefix",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: `arn:aws:s3:::${bucket}`,
                Condition: { StringLike: { "s3:prefix": "sessions/*" } },
            };
            const dispatch = statementsBySid(find(r, ROLE_POLICY, "app-prover-dispatch-policy"));
            assert.deepEqual(dispatch.CallDataApiOperations, call);
            const finalize = statementsBySid(find(r, ROLE_POLICY, "app-finalize-callback-policy"));
            assert.deepEqual(finalize.CallDataApiOperations, call);
            assert.deepEqual(finalize.ReadProofArtifacts, { Sid: "ReadProofArtifacts", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/sessions/*` });
            assert.deepEqual(finalize.ListProofPrefix, listPrefix);
            const api = statementsBySid(find(r, ROLE_POLICY, "app-api-policy"));
            assert.deepEqual(api.CallDataApiOperations, call);
            assert.deepEqual(api.ReadWorkQueueDepth, { Sid: "ReadWorkQueueDepth", Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: `arn:aws:sqs:${at}:${n("prover-work", env)}` });
            assert.deepEqual(api.ListProofPrefix, listPrefix);
            assert.ok(api.ReadApplicationSecrets, "the api still reads its secret parameters (the wrapper does)");
            assert.deepEqual(api.ReadProverImageRecord, {
                Sid: "ReadProverImageRecord",
                Effect: "Allow",
                Action: "ssm:GetParameter",
                Resource: `arn:aws:ssm:${at}:parameter/stark-ballot-simulator/${env}/prover-image`,
            });
            const grants = findAll(r, ROLE_POLICY).filter((p) => JSON.stringify(json(p, "policy")).includes("appsync:GraphQL"));
            assert.deepEqual(grants.map((p) => p.name).sort(), ["app-api-policy", "app-finalize-callback-policy", "app-prover-dispatch-policy"]);
        });

        it("the policy pack passes the stack with application builds", async () => {
            assert.deepEqual(await evaluatePolicies(r.resources, { environment: env }), []);
        });
    });
}
