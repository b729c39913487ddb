import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { appApiSettingsProblems, lambdaEnvironment, routeResourceSuffix, tableKeyArgs } from "../../builders/appApiSettings";
import { AppApi } from "../../components/appApi";
import { RATE_LIMIT_TABLE_SCHEMA } from "../../lambdas/shared/tables";
import { SynthResult } from "../../scripts/lib/synthesize";
import { find, findAll, json, statementsBySid, synth } from "../support/synth";
import { ACCOUNT, at, created, KEY, n, REGION } from "../support/mockAccount";



const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const FUNCTION = "aws:lambda/function:Function";
const TABLE = "aws:dynamodb/table:Table";
const PARAMETER = "aws:ssm/parameter:Parameter";
const PERMISSION = "aws:lambda/permission:Permission";

const CORS_HEADERS = ["Content-Type", "X-Session-ID", "X-Session-Capability", "Range"];
const CORS_EXPOSE = ["Content-Range", "Accept-Ranges", "X-Stark-Bundle-Range-Chunk-Size"];
const CORS_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const ACCESS_LOG_FORMAT = {
    requestId: "$context.requestId",
    sourceIp: "$context.identity.sourceIp",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    routeKey: "$context.routeKey",
    status: "$context.status",
    responseLength: "$context.responseLength",
    integrationErrorMessage: "$context.integrationErrorMessage",
    userAgent: "$context.identity.userAgent",
};
const SECRET_ROLES = [
    ["sessionCapabilitySecret", "session-capability-secret", "SECRET_PARAMETER_SESSION_CAPABILITY"],
    ["voteEncryptionKey", "vote-encryption-key", "SECRET_PARAMETER_VOTE_ENCRYPTION_KEY"],
    ["captchaSecret", "captcha-secret", "SECRET_PARAMETER_CAPTCHA"],
] as const;

const isSecret = (v: unknown): v is { value: unknown } =>
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig;

/** The inputs with every secret-marked value replaced, i.e. what is stored in plain text. */
function withoutSecrets(value: unknown): unknown {
    if (isSecret(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(withoutSecrets);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
    }
    return value;
}

/** Secret values must only ever appear inside secret markers (the SSM parameters' `value`). */
function assertSecretsOnlyInSecretParameters(r: SynthResult, env: string, secretValues: Record<string, string>) {
    for (const [key, parameter] of SECRET_ROLES) {
        const value = find(r, PARAMETER, `app-${parameter}`).inputs.value;
        assert.ok(isSecret(value), `${parameter}: value is marked secret`);
        assert.equal(value.value, secretValues[key]);
    }
    const plain = JSON.stringify(r.resources.map((res) => withoutSecrets(res.inputs))) + JSON.stringify(r.outputs);
    for (const [key, secret] of Object.entries(secretValues)) {
        assert.ok(!plain.includes(secret), `${env}: the value of ${key} appears in plain text`);
    }
    for (const fn of findAll(r, FUNCTION)) {
        const variables = JSON.stringify(fn.inputs.environment?.variables ?? {});
        for (const secret of Object.values(secretValues)) assert.ok(!variables.includes(secret), `${fn.name} environment holds a secret`);
    }
}

function expectations(env: "develop" | "main") {
    const bucket = `stark-ballot-simulator-proof-bundles-${env}-${ACCOUNT}`;
    const tableArn = (role: string) => `arn:aws:dynamodb:${at}:table/${n(role, env)}`;
    return {
        bucket,
        queueArn: `arn:aws:sqs:${at}:${n("prover-work", env)}`,
        queueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${n("prover-work", env)}`,
        stateMachineArn: `arn:aws:states:${at}:stateMachine:${n("prover-dispatcher", env)}`,
        sessionsTableArn: tableArn("sessions"),
        rateLimitTableArn: tableArn("rate-limit"),
        rateLimitKeyTableArn: tableArn("rate-limit-keys"),
        functionArn: (role: string) => `arn:aws:lambda:${at}:function:${n(role, env)}`,
        logsOf: (fn: string) => `arn:aws:logs:${at}:log-group:/aws/lambda/${n(fn, env)}:log-stream:*`,
        parameterName: (p: string) => `/stark-ballot-simulator/${env}/${p}`,
        parameterArn: (p: string) => `arn:aws:ssm:${at}:parameter/stark-ballot-simulator/${env}/${p}`,
        accessLogGroup: `/aws/apigateway/${n("api", env)}`,
        retention: env === "develop" ? 7 : 14,
    };
}

for (const env of ["develop", "main"] as const) {
    describe(`AppApi in ${env} (synthesized)`, function () {
        const x = expectations(env);
        let r: SynthResult;
        let apiId: string;
        before(async () => {
            r = await synth(env);
            apiId = created(find(r, "aws:apigatewayv2/api:Api", "app-http-api")).id;
        });

        it("tables: parity keys and TTL, on-demand, point-in-time recovery, encryption with the AWS-managed key", () => {
            const expected: Record<string, object> = {
                sessions: { hashKey: "sessionId", attributes: [{ name: "sessionId", type: "S" }] },
                "rate-limit": {
                    hashKey: "scope",
                    rangeKey: "timestamp",
                    attributes: [{ name: "scope", type: "S" }, { name: "timestamp", type: "N" }],
                    ttl: { attributeName: "expiresAt", enabled: true },
                },
                "rate-limit-keys": { hashKey: "key", attributes: [{ name: "key", type: "S" }], ttl: { attributeName: "expiresAt", enabled: true } },
            };
            // The data API's tables (DataApi) are checked in dataApi.test.ts.
            const appTables = findAll(r, TABLE).map((t) => t.name).filter((name) => name.startsWith("app-"));
            assert.deepEqual(appTables.sort(), ["app-rate-limit-keys-table", "app-rate-limit-table", "app-sessions-table"]);
            for (const [role, keys] of Object.entries(expected)) {
                const t = find(r, TABLE, `app-${role}-table`).inputs;
                assert.deepEqual(
                    { hashKey: t.hashKey, rangeKey: t.rangeKey, attributes: t.attributes, ttl: t.ttl },
                    { rangeKey: undefined, ttl: undefined, ...keys },
                    role,
                );
                assert.equal(t.name, n(role, env));
                assert.equal(t.billingMode, "PAY_PER_REQUEST");
                assert.deepEqual(t.pointInTimeRecovery, { enabled: true });
                assert.deepEqual(t.serverSideEncryption, { enabled: true });
                assert.equal(t.deletionProtectionEnabled, env === "main", `${role} deletion protection`);
            }
        });

        it(`protects ${env === "main" ? "exactly the tables and log groups" : "nothing"} of the app layer`, () => {
            const protectedNames = r.resources.filter((res) => res.protect && res.name.startsWith("app-")).map((res) => res.name).sort();
            const expected = [
                "app-api-access-logs",
                "app-api-logs",
                "app-finalize-callback-logs",
                "app-prover-dispatch-logs",
                "app-rate-limit-keys-table",
                "app-rate-limit-table",
                "app-sessions-table",
            ];
            assert.deepEqual(protectedNames, env === "main" ? expected : []);
        });

        it("application secrets: three SecureString parameters under the environment's path, values only inside secret markers", () => {
            // The app's three; the stack's only other parameter is the prover image record (not a secret).
            assert.deepEqual(findAll(r, PARAMETER).map((p) => p.name).sort(), ["app-captcha-secret", "app-session-capability-secret", "app-vote-encryption-key", "prover-image-record-parameter"]);
            for (const [, parameter] of SECRET_ROLES) {
                const p = find(r, PARAMETER, `app-${parameter}`).inputs;
                assert.equal(p.name, x.parameterName(parameter));
                assert.equal(p.type, "SecureString");
            }
            // The committed stack files hold no secrets: synthesis fills in known placeholders.
            assert.deepEqual(r.placeholderSecrets, ["sessionCapabilitySecret", "voteEncryptionKey", "captchaSecret"]);
            assertSecretsOnlyInSecretParameters(r, env, Object.fromEntries(r.placeholderSecrets.map((k) => [k, `offline-placeholder-${k}`])));
        });

        it("functions: parity sizes on nodejs22.x, no reserved concurrency unless configured (opt-in), own log groups", () => {
            const sizes = findAll(r, FUNCTION)
                .filter((f) => f.name.startsWith("app-"))
                .map((f) => [f.inputs.name, f.inputs.runtime, f.inputs.timeout, f.inputs.memorySize, f.inputs.reservedConcurrentExecutions, f.inputs.loggingConfig.logGroup])
                .sort();
            assert.deepEqual(sizes, [
                [n("api", env), "nodejs22.x", 60, 1024, undefined, `/aws/lambda/${n("api", env)}`],
                [n("finalize-callback", env), "nodejs22.x", 60, 512, undefined, `/aws/lambda/${n("finalize-callback", env)}`],
                [n("prover-dispatch", env), "nodejs22.x", 30, 512, undefined, `/aws/lambda/${n("prover-dispatch", env)}`],
            ]);
        });

        it(`log groups of the app layer keep ${x.retention} days`, () => {
            const groups = findAll(r, "aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.startsWith("app-"));
            assert.deepEqual(
                groups.map((g) => [g.inputs.name, g.inputs.retentionInDays]).sort(),
                [x.accessLogGroup, ...["api", "finalize-callback", "prover-dispatch"].map((f) => `/aws/lambda/${n(f, env)}`)].map((g) => [g, x.retention]).sort(),
            );
        });

        it("environment variables: exactly the handlers' names, secret parameter names instead of values", () => {
            const vars = (fn: string) => find(r, FUNCTION, `app-${fn}-function`).inputs.environment.variables;
            assert.deepEqual(vars("prover-dispatch"), {
                STATE_MACHINE_ARN: x.stateMachineArn,
                S3_PROOF_BUCKET: x.bucket,
                S3_PROOF_PREFIX: "sessions/",
                SESSIONS_TABLE: n("sessions", env),
            });
            // The callback's own state machine, so it can refuse executions of any other.
            assert.deepEqual(vars("finalize-callback"), { SESSIONS_TABLE: n("sessions", env), S3_PROOF_PREFIX: "sessions/", STATE_MACHINE_ARN: x.stateMachineArn });
            assert.deepEqual(vars("api"), {
                ENV_NAME: env,
                SESSIONS_TABLE: n("sessions", env),
                RATE_LIMIT_TABLE: n("rate-limit", env),
                RATE_LIMIT_KEY_TABLE: n("rate-limit-keys", env),
                PROVER_WORK_QUEUE_URL: x.queueUrl,
                PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: "262144",
                PROVER_STATE_MACHINE_ARN: x.stateMachineArn,
                S3_PROOF_BUCKET: x.bucket,
                S3_PROOF_PREFIX: "sessions/",
                SECRET_PARAMETER_SESSION_CAPABILITY: x.parameterName("session-capability-secret"),
                SECRET_PARAMETER_VOTE_ENCRYPTION_KEY: x.parameterName("vote-encryption-key"),
                SECRET_PARAMETER_CAPTCHA: x.parameterName("captcha-secret"),
                // The global proof budget's defaults (proofsPerHour, proofsPerDay).
                PROOFS_PER_HOUR: "30",
                PROOFS_PER_DAY: "60",
                SESSION_CAPABILITY_TTL_SECONDS: "86400",
                ALLOW_REPROVING: "false",
                // The record's name, never the image id: the handler reads the id from there at run time.
                PROVER_IMAGE_PARAMETER: x.parameterName("prover-image"),
            });
        });

        it("prover-dispatch IAM: PutObject under the prefix, StartExecution on the state machine, session writes, queue consumption", () => {
            const s = statementsBySid(find(r, ROLE_POLICY, "app-prover-dispatch-policy"));
            assert.deepEqual(s, {
                WriteOwnLogGroup: { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: x.logsOf("prover-dispatch") },
                WriteProofInputs: { Sid: "WriteProofInputs", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${x.bucket}/sessions/*` },
                StartProverExecutions: { Sid: "StartProverExecutions", Effect: "Allow", Action: "states:StartExecution", Resource: x.stateMachineArn },
                MarkSessionsRunning: { Sid: "MarkSessionsRunning", Effect: "Allow", Action: ["dynamodb:UpdateItem", "dynamodb:GetItem"], Resource: x.sessionsTableArn },
                ConsumeWorkQueue: {
                    Sid: "ConsumeWorkQueue",
                    Effect: "Allow",
                    Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                    Resource: x.queueArn,
                },
            });
        });

        it("finalize-callback IAM: session writes only", () => {
            assert.deepEqual(statementsBySid(find(r, ROLE_POLICY, "app-finalize-callback-policy")), {
                WriteOwnLogGroup: { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: x.logsOf("finalize-callback") },
                WriteSessionResults: { Sid: "WriteSessionResults", Effect: "Allow", Action: ["dynamodb:UpdateItem", "dynamodb:GetItem"], Resource: x.sessionsTableArn },
            });
        });

        it("api IAM: send work, describe this state machine's executions, bundles only, what it calls on its tables, its three parameters", () => {
            assert.deepEqual(statementsBySid(find(r, ROLE_POLICY, "app-api-policy")), {
                WriteOwnLogGroup: { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: x.logsOf("api") },
                QueueProofWork: { Sid: "QueueProofWork", Effect: "Allow", Action: "sqs:SendMessage", Resource: x.queueArn },
                FollowProverExecutions: {
                    Sid: "FollowProverExecutions",
                    Effect: "Allow",
                    Action: "states:DescribeExecution",
                    Resource: `arn:aws:states:${at}:execution:${n("prover-dispatcher", env)}:*`,
                },
                // The report too: the status route presigns it, and a presigned GET is authorized as the api's role.
                ReadProofBundles: {
                    Sid: "ReadProofBundles",
                    Effect: "Allow",
                    Action: "s3:GetObject",
                    Resource: [`arn:aws:s3:::${x.bucket}/sessions/*/bundle.zip`, `arn:aws:s3:::${x.bucket}/sessions/*/verification.json`],
                },
                ReadWriteSessions: { Sid: "ReadWriteSessions", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource: x.sessionsTableArn },
                CountRateLimitWindows: { Sid: "CountRateLimitWindows", Effect: "Allow", Action: ["dynamodb:UpdateItem"], Resource: x.rateLimitKeyTableArn },
                ReadApplicationSecrets: {
                    Sid: "ReadApplicationSecrets",
                    Effect: "Allow",
                    Action: "ssm:GetParameter",
                    Resource: SECRET_ROLES.map(([, p]) => x.parameterArn(p)),
                },
                ReadProverImageRecord: { Sid: "ReadProverImageRecord", Effect: "Allow", Action: "ssm:GetParameter", Resource: x.parameterArn("prover-image") },
            });
        });

        it("every app function's role trusts Lambda only on behalf of this account", () => {
            for (const fn of ["prover-dispatch", "finalize-callback", "api"]) {
                const trust = json(find(r, "aws:iam/role:Role", `app-${fn}-role`), "assumeRolePolicy").Statement;
                assert.deepEqual(trust, [
                    {
                        Sid: "AllowServiceAssumeRole",
                        Effect: "Allow",
                        Principal: { Service: "lambda.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                    },
                ]);
            }
        });

        it("event source: dispatch consumes the work queue one message at a time with partial batch responses", () => {
            const mappings = findAll(r, "aws:lambda/eventSourceMapping:EventSourceMapping");
            assert.equal(mappings.length, 1);
            const m = mappings[0].inputs;
            assert.deepEqual(
                { eventSourceArn: m.eventSourceArn, functionName: m.functionName, batchSize: m.batchSize, functionResponseTypes: m.functionResponseTypes, enabled: m.enabled, scalingConfig: m.scalingConfig },
                {
                    eventSourceArn: x.queueArn,
                    functionName: x.functionArn("prover-dispatch"),
                    batchSize: 1,
                    functionResponseTypes: ["ReportBatchItemFailures"],
                    enabled: true,
                    scalingConfig: { maximumConcurrency: 2 },
                },
            );
        });

        it("the finalize function carries exactly the name whose ARN the state machine invokes", () => {
            const finalizeName = find(r, FUNCTION, "app-finalize-callback-function").inputs.name;
            const finalizeArn = `arn:aws:lambda:${at}:function:${finalizeName}`;
            const def = json(find(r, "aws:sfn/stateMachine:StateMachine", "prover-dispatcher"), "definition");
            for (const state of ["FinalizeSucceeded", "FinalizeSignatureFailed", "FinalizeFailed"]) {
                assert.equal(def.States[state].Parameters.FunctionName, finalizeArn, state);
            }
            // The state machine may invoke exactly the image gate and this function.
            assert.deepEqual(statementsBySid(find(r, ROLE_POLICY, "prover-dispatcher-policy")).InvokePipelineFunctions.Resource, [
                `arn:aws:lambda:${at}:function:${n("check-image-signature", env)}`,
                finalizeArn,
            ]);
            assert.equal(r.outputs.finalizeCallbackFunctionArn, finalizeArn);
        });

        it("invoke permissions: finalize only by this state machine, api only by this API", () => {
            const permissions = findAll(r, PERMISSION).filter((p) => p.name.startsWith("app-"));
            assert.deepEqual(permissions.map((p) => p.name).sort(), ["app-api-invoke", "app-finalize-callback-invoke"]);
            assert.deepEqual(find(r, PERMISSION, "app-finalize-callback-invoke").inputs, {
                action: "lambda:InvokeFunction",
                function: n("finalize-callback", env),
                principal: "states.amazonaws.com",
                sourceArn: x.stateMachineArn,
                sourceAccount: ACCOUNT,
            });
            assert.deepEqual(find(r, PERMISSION, "app-api-invoke").inputs, {
                action: "lambda:InvokeFunction",
                function: n("api", env),
                principal: "apigateway.amazonaws.com",
                sourceArn: `arn:aws:execute-api:${at}:${apiId}/*/*`,
            });
        });

        it("HTTP API: the four parity routes, all to one Lambda proxy integration with payload 2.0", () => {
            const api = find(r, "aws:apigatewayv2/api:Api", "app-http-api").inputs;
            assert.equal(api.name, n("api", env));
            assert.equal(api.protocolType, "HTTP");
            const integrations = findAll(r, "aws:apigatewayv2/integration:Integration");
            assert.equal(integrations.length, 1);
            const i = integrations[0];
            assert.deepEqual(
                [i.inputs.apiId, i.inputs.integrationType, i.inputs.integrationMethod, i.inputs.integrationUri, i.inputs.payloadFormatVersion, i.inputs.timeoutMilliseconds],
                [apiId, "AWS_PROXY", "POST", x.functionArn("api"), "2.0", 30000],
            );
            const routes = findAll(r, "aws:apigatewayv2/route:Route");
            assert.deepEqual(routes.map((route) => route.inputs.routeKey).sort(), ["ANY /api", "ANY /api/{proxy+}", "OPTIONS /api", "OPTIONS /api/{proxy+}"]);
            for (const route of routes) {
                assert.equal(route.inputs.apiId, apiId);
                assert.equal(route.inputs.target, `integrations/${created(i).id}`);
                assert.equal(route.inputs.authorizationType, "NONE");
            }
        });

        it(env === "develop" ? "CORS: the configured origin with the parity headers" : "CORS: none without configured origins", () => {
            const cors = find(r, "aws:apigatewayv2/api:Api", "app-http-api").inputs.corsConfiguration;
            if (env === "main") {
                assert.equal(cors, undefined);
                return;
            }
            assert.deepEqual(cors, {
                allowOrigins: ["http://localhost:3000"],
                allowHeaders: CORS_HEADERS,
                exposeHeaders: CORS_EXPOSE,
                allowMethods: CORS_METHODS,
                maxAge: 600,
                allowCredentials: false,
            });
        });

        it("stage: $default, auto-deployed, JSON access logs with exactly the parity fields, throttled", () => {
            const stages = findAll(r, "aws:apigatewayv2/stage:Stage");
            assert.equal(stages.length, 1);
            const s = stages[0].inputs;
            assert.equal(s.apiId, apiId);
            assert.equal(s.name, "$default");
            assert.equal(s.autoDeploy, true);
            assert.equal(s.accessLogSettings.destinationArn, `arn:aws:logs:${at}:log-group:${x.accessLogGroup}`);
            assert.deepEqual(JSON.parse(s.accessLogSettings.format), ACCESS_LOG_FORMAT);
            // develop configures none (the safe default applies); main configures 50/20.
            assert.deepEqual(s.defaultRouteSettings, { throttlingBurstLimit: 50, throttlingRateLimit: 20 });
        });

        it("no custom domain unless configured", () => {
            assert.equal(findAll(r, "aws:apigatewayv2/domainName:DomainName").length, 0);
            assert.equal(findAll(r, "aws:apigatewayv2/apiMapping:ApiMapping").length, 0);
        });

        it("the api runs the bundled reference handler, shipped as a file archive (no text in the state)", async () => {
            const code = find(r, FUNCTION, "app-api-function").inputs.code;
            assert.equal(code.assets, undefined);
            const dir = await code.path;
            assert.equal(dir, path.join(__dirname, "..", "..", "build", "lambdas", "lambdas-api-index"));
            assert.deepEqual(fs.readdirSync(dir).sort(), ["handler.js", "handler.js.map", "index.js"]);
            assert.match(fs.readFileSync(path.join(dir, "handler.js"), "utf8"), /\/api\/sessions\/:id\/status/);
        });

        it("outputs: API URL, sessions table, the real finalize function's ARN, and the app environment", () => {
            const apiUrl = `https://${apiId}.execute-api.${REGION}.amazonaws.com`;
            assert.equal(r.outputs.apiUrl, apiUrl);
            assert.equal(r.outputs.sessionsTableName, n("sessions", env));
            assert.equal(r.outputs.finalizeCallbackFunctionArn, x.functionArn("finalize-callback"));
            const app = r.outputs.appEnvironment as Record<string, string>;
            assert.deepEqual(
                {
                    API_URL: app.API_URL,
                    SESSIONS_TABLE: app.SESSIONS_TABLE,
                    RATE_LIMIT_TABLE: app.RATE_LIMIT_TABLE,
                    RATE_LIMIT_KEY_TABLE: app.RATE_LIMIT_KEY_TABLE,
                    SECRET_PARAMETER_SESSION_CAPABILITY: app.SECRET_PARAMETER_SESSION_CAPABILITY,
                    SECRET_PARAMETER_VOTE_ENCRYPTION_KEY: app.SECRET_PARAMETER_VOTE_ENCRYPTION_KEY,
                    SECRET_PARAMETER_CAPTCHA: app.SECRET_PARAMETER_CAPTCHA,
                },
                {
                    API_URL: apiUrl,
                    SESSIONS_TABLE: n("sessions", env),
                    RATE_LIMIT_TABLE: n("rate-limit", env),
                    RATE_LIMIT_KEY_TABLE: n("rate-limit-keys", env),
                    SECRET_PARAMETER_SESSION_CAPABILITY: x.parameterName("session-capability-secret"),
                    SECRET_PARAMETER_VOTE_ENCRYPTION_KEY: x.parameterName("vote-encryption-key"),
                    SECRET_PARAMETER_CAPTCHA: x.parameterName("captcha-secret"),
                },
            );
        });

        it("component outputs: every table, function and log group it creates", () => {
            const component = find(r, "stark:app:AppApi", "app");
            assert.equal(component.parent, undefined);
            const children = r.resources.filter((res) => res.parent === component.urn).map((res) => res.type);
            assert.deepEqual(
                [...new Set(children)].sort(),
                [
                    "aws:apigatewayv2/api:Api",
                    "aws:apigatewayv2/integration:Integration",
                    "aws:apigatewayv2/route:Route",
                    "aws:apigatewayv2/stage:Stage",
                    "aws:cloudwatch/logGroup:LogGroup",
                    "aws:dynamodb/table:Table",
                    "aws:lambda/eventSourceMapping:EventSourceMapping",
                    "aws:lambda/permission:Permission",
                    "aws:ssm/parameter:Parameter",
                    "stark:lambda:NodeFunction",
                ],
            );
        });
    });
}

describe("AppApi variant: custom domain, throttling, two origins, prebuilt api handler, passed secrets (synthesized)", function () {
    const handlerDir = fs.mkdtempSync(path.join(os.tmpdir(), "app-api-handler-"));
    const SECRETS = {
        sessionCapabilitySecret: "capability-9b1e4f0c2d7a",
        voteEncryptionKey: "vote-key-5c8d2e7f1a3b",
        captchaSecret: "captcha-0f6a9d3c4e2b",
    };
    const DOMAIN = "api.ballot.example.org";
    const CERTIFICATE = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9`;
    const ORIGINS = ["https://ballot.example.org", "http://localhost:3000"];
    let r: SynthResult;
    before(async () => {
        fs.writeFileSync(path.join(handlerDir, "index.js"), "exports.handler = async () => ({ statusCode: 204 });\n");
        r = await synth("develop", {
            configOverrides: {
                [KEY("customDomain")]: { domainName: DOMAIN, certificateArn: CERTIFICATE },
                [KEY("apiThrottling")]: { burstLimit: 7, rateLimit: 3 },
                [KEY("apiCorsOrigins")]: ORIGINS,
                [KEY("apiHandlerPath")]: handlerDir,
            },
            secrets: Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [KEY(k), v])),
        });
    });
    after(() => fs.rmSync(handlerDir, { recursive: true, force: true }));

    it("custom domain: regional, the configured certificate, TLS 1.2, mapped to the $default stage", () => {
        const domain = find(r, "aws:apigatewayv2/domainName:DomainName", "app-api-domain");
        assert.deepEqual(domain.inputs, {
            domainName: DOMAIN,
            domainNameConfiguration: { certificateArn: CERTIFICATE, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
        });
        const apiId = created(find(r, "aws:apigatewayv2/api:Api", "app-http-api")).id;
        assert.deepEqual(find(r, "aws:apigatewayv2/apiMapping:ApiMapping", "app-api-domain-mapping").inputs, { apiId, domainName: DOMAIN, stage: "$default" });
        assert.equal(r.outputs.apiUrl, `https://${DOMAIN}`);
        assert.equal((r.outputs.appEnvironment as Record<string, string>).API_URL, `https://${DOMAIN}`);
        const target = created(domain).state.domainNameConfiguration.targetDomainName;
        assert.match(target, /^d-[0-9a-f]{10}\.execute-api\.ap-northeast-1\.amazonaws\.com$/);
        assert.equal(r.outputs.apiCustomDomainTarget, target, "the DNS target is an output");
    });

    it("throttling: the configured burst and rate", () => {
        assert.deepEqual(find(r, "aws:apigatewayv2/stage:Stage", "app-api-stage").inputs.defaultRouteSettings, { throttlingBurstLimit: 7, throttlingRateLimit: 3 });
    });

    it("CORS: exactly the configured origins, in order", () => {
        assert.deepEqual(find(r, "aws:apigatewayv2/api:Api", "app-http-api").inputs.corsConfiguration.allowOrigins, ORIGINS);
    });

    it("the api runs the prebuilt handler directory as is", async () => {
        const code = find(r, FUNCTION, "app-api-function").inputs.code;
        assert.equal(code.assets, undefined);
        assert.equal(await code.path, handlerDir);
        assert.equal(find(r, FUNCTION, "app-api-function").inputs.handler, "index.handler");
    });

    it("secrets: stored only as secret parameter values, nowhere in plain text, never in a function's environment", () => {
        assert.deepEqual(r.placeholderSecrets, []);
        assertSecretsOnlyInSecretParameters(r, "develop", SECRETS);
    });

    it("the prebuilt api's role also stops executions and reaches all three tables; still bundles only", () => {
        const s = statementsBySid(find(r, ROLE_POLICY, "app-api-policy"));
        assert.deepEqual(s.FollowProverExecutions.Action, ["states:DescribeExecution", "states:StopExecution"]);
        assert.deepEqual(s.ReadWriteAppTables.Action, ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"]);
        assert.equal((s.ReadWriteAppTables.Resource as string[]).length, 3);
        assert.deepEqual(s.ReadProofBundles.Resource, [
            "arn:aws:s3:::stark-ballot-simulator-proof-bundles-develop-123456789012/sessions/*/bundle.zip",
            "arn:aws:s3:::stark-ballot-simulator-proof-bundles-develop-123456789012/sessions/*/verification.json",
        ]);
        assert.equal(s.ReadWriteSessions, undefined);
    });
});

describe("AppApi settings (pure)", () => {
    const valid = { workQueueVisibilityTimeoutSeconds: 1000, dispatchTimeoutSeconds: 30, dispatchConcurrency: 2, finalizeCallbackFunctionName: "stark-ballot-simulator-finalize-callback-develop" };

    it("accepts the parity settings, including a visibility timeout of exactly six dispatch timeouts", () => {
        assert.deepEqual(appApiSettingsProblems(valid), []);
        assert.deepEqual(appApiSettingsProblems({ ...valid, workQueueVisibilityTimeoutSeconds: 180 }), []);
    });

    it("reports every problem at once, each naming the argument and the rule", () => {
        assert.deepEqual(
            appApiSettingsProblems({
                workQueueVisibilityTimeoutSeconds: 179,
                dispatchTimeoutSeconds: 30,
                dispatchConcurrency: 1,
                apiThrottling: { burstLimit: 0, rateLimit: 0 },
                finalizeCallbackFunctionName: "arn:aws:lambda:x",
            }),
            [
                "workQueueVisibilityTimeoutSeconds: 179 s must be at least 6 times the prover-dispatch timeout (180 s)",
                "dispatchConcurrency: 1 must be an integer of at least 2: it is the SQS event source's maximum concurrency, which accepts 2 at the least",
                "apiThrottling.burstLimit: 0 must be a positive integer",
                "apiThrottling.rateLimit: 0 must be greater than 0",
                'finalizeCallbackFunctionName: "arn:aws:lambda:x" is not a Lambda function name (1-64 letters, digits, "-" or "_")',
            ],
        );
    });

    it("the component throws before registering anything (no Pulumi runtime is even needed)", () => {
        const args = {
            environment: "develop",
            awsContext: { partition: "aws", region: REGION, accountId: ACCOUNT },
            logRetentionDays: 7,
            proofBucketName: "b",
            proofPrefix: "sessions/",
            workQueueUrl: "u",
            workQueueArn: "a",
            workQueueMaxMessageBytes: 262144,
            workQueueVisibilityTimeoutSeconds: 120,
            stateMachineArn: "s",
            stateMachineName: "m",
            finalizeCallbackFunctionName: "f",
            secrets: { sessionCapabilitySecret: pulumi.output("x"), voteEncryptionKey: pulumi.output("y"), captchaSecret: pulumi.output("z") },
            proverImageRecord: { parameterName: "p", parameterArn: "arn:aws:ssm:r:1:parameter/p" },
        };
        assert.throws(
            () => new AppApi("invalid", args),
            (e: Error) => e.message === "AppApi invalid: invalid arguments (1):\n  - workQueueVisibilityTimeoutSeconds: 120 s must be at least 6 times the prover-dispatch timeout (180 s)",
        );
    });

    it("route resource names derive from the route key", () => {
        assert.deepEqual(
            ["ANY /api", "ANY /api/{proxy+}", "OPTIONS /api", "OPTIONS /api/{proxy+}"].map(routeResourceSuffix),
            ["any-api", "any-api-proxy", "options-api", "options-api-proxy"],
        );
    });

    it("table keys come from the handlers' schema", () => {
        assert.deepEqual(tableKeyArgs(RATE_LIMIT_TABLE_SCHEMA), {
            hashKey: "scope",
            rangeKey: "timestamp",
            attributes: [{ name: "scope", type: "S" }, { name: "timestamp", type: "N" }],
            ttl: { attributeName: "expiresAt", enabled: true },
        });
    });

    it("a function environment must hold exactly the handler's variables", () => {
        const complete = { SESSIONS_TABLE: "t", S3_PROOF_PREFIX: "", STATE_MACHINE_ARN: "sm" };
        assert.deepEqual(lambdaEnvironment("finalizeCallback", complete), complete);
        const extra = { ...complete, DEBUG: "1" };
        assert.throws(() => lambdaEnvironment("finalizeCallback", extra), { message: "environment of finalizeCallback: must be exactly SESSIONS_TABLE, S3_PROOF_PREFIX, STATE_MACHINE_ARN (extra: DEBUG; missing: none)" });
        const missing = { SESSIONS_TABLE: "t" } as typeof complete;
        assert.throws(() => lambdaEnvironment("finalizeCallback", missing), { message: "environment of finalizeCallback: must be exactly SESSIONS_TABLE, S3_PROOF_PREFIX, STATE_MACHINE_ARN (extra: none; missing: S3_PROOF_PREFIX, STATE_MACHINE_ARN)" });
    });
});
