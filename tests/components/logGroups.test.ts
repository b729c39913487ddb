/**
 * SPEC §3/§4: every log group of the stack is created by the stack, with the environment's
 * retention, before anything writes to it. Walks every synthesized resource that writes logs, so a
 * new Lambda, task, state machine, stage or trail without its pre-created group fails here.
 */
import * as assert from "node:assert/strict";
import { SynthResource, SynthResult } from "../../scripts/lib/synthesize";
import { MockAccount, mockState } from "../../offline/mockCloud";
import { appSyncLogGroupName } from "../../builders/dataApi/settings";
import { findAll, synth } from "../support/synth";

/** The account lets the walk derive ids the way the mocks assigned them (an AppSync API's log group is named by its id). */
type Resources = Pick<SynthResult, "resources"> & { account?: MockAccount };

const ofType = (r: Resources, type: string) => r.resources.filter((x) => x.type === type);

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const CLOUDTRAIL_RETENTION_DAYS = 90;

/** `arn:<partition>:logs:<region>:<account>:log-group:<name>[:*]` -> `<name>`. */
function logGroupNameOfArn(arn: unknown, where: string): string {
    assert.equal(typeof arn, "string", `${where}: log destination is not an ARN string`);
    const match = /^arn:[a-z-]+:logs:[a-z0-9-]+:\d{12}:log-group:(.+?)(:\*)?$/.exec(arn as string);
    assert.ok(match, `${where}: "${arn}" is not a CloudWatch Logs group ARN`);
    return match[1];
}

interface LogWriter {
    writer: string;
    logGroupName: string;
}

/** Every place a synthesized resource sends logs to, by resource type. */
function logWriters(r: Resources): LogWriter[] {
    const writers: LogWriter[] = [];
    const add = (resource: SynthResource, logGroupName: string, what = "") =>
        writers.push({ writer: `${resource.urn}${what}`, logGroupName });

    for (const fn of ofType(r, "aws:lambda/function:Function")) {
        // Without loggingConfig.logGroup, Lambda writes to (and creates) /aws/lambda/<name>.
        add(fn, fn.inputs.loggingConfig?.logGroup ?? `/aws/lambda/${fn.inputs.name}`);
    }
    for (const td of ofType(r, "aws:ecs/taskDefinition:TaskDefinition")) {
        const containers = JSON.parse(td.inputs.containerDefinitions) as Array<{ name: string; logConfiguration?: { logDriver: string; options: Record<string, string> } }>;
        for (const c of containers) {
            assert.equal(c.logConfiguration?.logDriver, "awslogs", `${td.urn} container ${c.name} logs with awslogs`);
            const options = c.logConfiguration?.options ?? {};
            assert.notEqual(options["awslogs-create-group"], "true", `${td.urn} container ${c.name} must not create its own log group`);
            add(td, options["awslogs-group"], ` container ${c.name}`);
        }
    }
    for (const sm of ofType(r, "aws:sfn/stateMachine:StateMachine")) {
        add(sm, logGroupNameOfArn(sm.inputs.loggingConfiguration?.logDestination, sm.urn));
    }
    for (const stage of ofType(r, "aws:apigatewayv2/stage:Stage")) {
        add(stage, logGroupNameOfArn(stage.inputs.accessLogSettings?.destinationArn, stage.urn));
    }
    for (const trail of ofType(r, "aws:cloudtrail/trail:Trail")) {
        add(trail, logGroupNameOfArn(trail.inputs.cloudWatchLogsGroupArn, trail.urn));
    }
    for (const api of ofType(r, "aws:appsync/graphQLApi:GraphQLApi")) {
        // AppSync writes to /aws/appsync/apis/<apiId> (no setting names another group).
        // https://docs.aws.amazon.com/appsync/latest/devguide/monitoring.html
        assert.ok(r.account, "the walk needs the mock account to derive an AppSync API's id");
        if (api.inputs.logConfig) add(api, appSyncLogGroupName(mockState(api.type, api.name, api.inputs, r.account).id));
    }
    return writers;
}

const logGroupsByName = (r: Resources) => new Map(ofType(r, LOG_GROUP).map((g) => [g.inputs.name as string, g]));

/** `writer -> log group` for every write to a log group the stack does not create. */
function writesToMissingGroups(r: Resources): string[] {
    const groups = logGroupsByName(r);
    return logWriters(r)
        .filter((w) => !groups.has(w.logGroupName))
        .map((w) => `${w.writer} -> ${w.logGroupName}`);
}

/** Log groups nothing writes to (a service renamed without its group). */
function orphanGroups(r: Resources): string[] {
    const written = new Set(logWriters(r).map((w) => w.logGroupName));
    return [...logGroupsByName(r).keys()].filter((name) => !written.has(name));
}

describe("log group walk (fabricated stack)", () => {
    const resource = (type: string, name: string, inputs: Record<string, any>): SynthResource => ({ type, name, urn: `${type}::${name}`, inputs, protect: false, custom: true });
    const group = resource(LOG_GROUP, "g", { name: "/aws/lambda/with-group", retentionInDays: 7 });
    const withGroup = resource("aws:lambda/function:Function", "f1", { name: "with-group", loggingConfig: { logGroup: "/aws/lambda/with-group" } });

    it("passes a Lambda whose log group the stack creates", () => {
        assert.deepEqual(writesToMissingGroups({ resources: [group, withGroup] }), []);
        assert.deepEqual(orphanGroups({ resources: [group, withGroup] }), []);
    });

    it("fails a Lambda added without a pre-created log group, with or without loggingConfig", () => {
        const bare = resource("aws:lambda/function:Function", "f2", { name: "no-group" });
        const pointed = resource("aws:lambda/function:Function", "f3", { name: "x", loggingConfig: { logFormat: "Text", logGroup: "/custom/x" } });
        assert.deepEqual(writesToMissingGroups({ resources: [group, withGroup, bare, pointed] }), [
            "aws:lambda/function:Function::f2 -> /aws/lambda/no-group",
            "aws:lambda/function:Function::f3 -> /custom/x",
        ]);
    });

    it("fails a state machine, stage, trail or AppSync API logging to a group the stack does not create, and reports orphans", () => {
        const arnOf = (n: string) => `arn:aws:logs:ap-northeast-1:123456789012:log-group:${n}:*`;
        const resources = [
            group,
            resource("aws:sfn/stateMachine:StateMachine", "sm", { loggingConfiguration: { logDestination: arnOf("/sm") } }),
            resource("aws:apigatewayv2/stage:Stage", "st", { accessLogSettings: { destinationArn: arnOf("/st") } }),
            resource("aws:cloudtrail/trail:Trail", "t", { cloudWatchLogsGroupArn: arnOf("/t") }),
        ];
        const account: MockAccount = { partition: "aws", region: "ap-northeast-1", accountId: "123456789012", callerArn: "arn:aws:sts::123456789012:assumed-role/deployer/test" };
        resources.push(resource("aws:appsync/graphQLApi:GraphQLApi", "gql", { logConfig: { fieldLogLevel: "ERROR" } }));
        const apiId = mockState("aws:appsync/graphQLApi:GraphQLApi", "gql", {}, account).id;
        assert.deepEqual(writesToMissingGroups({ resources, account }), [
            "aws:sfn/stateMachine:StateMachine::sm -> /sm",
            "aws:apigatewayv2/stage:Stage::st -> /st",
            "aws:cloudtrail/trail:Trail::t -> /t",
            `aws:appsync/graphQLApi:GraphQLApi::gql -> /aws/appsync/apis/${apiId}`,
        ]);
        assert.deepEqual(orphanGroups({ resources, account }), ["/aws/lambda/with-group"]);
    });
});

/**
 * Every log group of a committed stack: resource name -> [log group name, retention days]. SPEC §3: 7 days in
 * develop, 14 in main, CloudTrail's 90 (main only: develop has no trail). `<data api id>` stands for the id the
 * mock cloud gives the AppSync API, which names its group.
 */
function expectedLogGroups(env: "develop" | "main"): Record<string, [string, number]> {
    const days = env === "develop" ? 7 : 14;
    return {
        "app-api-access-logs": [`/aws/apigateway/stark-ballot-simulator-api-${env}`, days],
        "app-api-logs": [`/aws/lambda/stark-ballot-simulator-api-${env}`, days],
        "app-finalize-callback-logs": [`/aws/lambda/stark-ballot-simulator-finalize-callback-${env}`, days],
        "app-prover-dispatch-logs": [`/aws/lambda/stark-ballot-simulator-prover-dispatch-${env}`, days],
        "data-logs": ["/aws/appsync/apis/<data api id>", days],
        ...(env === "main" ? { "observability-trail-logs": ["/aws/cloudtrail/stark-ballot-simulator-trail-main", CLOUDTRAIL_RETENTION_DAYS] as [string, number] } : {}),
        "prover-check-image-signature-logs": [`/aws/lambda/stark-ballot-simulator-check-image-signature-${env}`, days],
        "prover-dispatcher-logs": [`/aws/vendedlogs/states/stark-ballot-simulator-prover-dispatcher-${env}`, days],
        "prover-proof-slot-cleanup-logs": [`/aws/lambda/stark-ballot-simulator-proof-slot-cleanup-${env}`, days],
        "prover-prover-logs": [`/ecs/stark-ballot-simulator-prover-${env}`, days],
    };
}

for (const env of ["develop", "main"] as const) {
    describe(`log groups in ${env} (synthesized)`, function () {
        const retention = env === "develop" ? 7 : 14;
        let r: SynthResult;
        let groups: Map<string, SynthResource>;
        before(async () => {
            r = await synth(env);
            groups = logGroupsByName(r);
        });

        it("every log group has a name (nothing is named by Pulumi's random suffix) and a retention", () => {
            const all = findAll(r, LOG_GROUP);
            assert.equal(groups.size, all.length, "log group names are unique");
            for (const g of all) {
                assert.equal(typeof g.inputs.name, "string", `${g.urn} has a name`);
                assert.ok(Number.isInteger(g.inputs.retentionInDays) && g.inputs.retentionInDays > 0, `${g.urn} sets retentionInDays`);
            }
        });

        it("creates exactly these log groups, with these names and retention days", () => {
            const dataApi = findAll(r, "aws:appsync/graphQLApi:GraphQLApi");
            assert.deepEqual(dataApi.map((a) => a.name), ["data-graphql"]);
            const dataApiGroup = appSyncLogGroupName(mockState(dataApi[0].type, dataApi[0].name, dataApi[0].inputs, r.account).id);
            const actual = Object.fromEntries(
                findAll(r, LOG_GROUP)
                    .map((g) => [g.name, [g.inputs.name === dataApiGroup ? "/aws/appsync/apis/<data api id>" : g.inputs.name, g.inputs.retentionInDays]] as const)
                    .sort(([a], [b]) => a.localeCompare(b)),
            );
            assert.deepEqual(actual, expectedLogGroups(env));
        });

        it("writes from every Lambda function, task container, state machine, API stage and trail go to a log group the stack creates", () => {
            assert.deepEqual(
                findAll(r, "aws:lambda/function:Function").map((f) => f.inputs.name).sort(),
                ["api", "check-image-signature", "finalize-callback", "proof-slot-cleanup", "prover-dispatch"].map((f) => `stark-ballot-simulator-${f}-${env}`),
                "the walk sees the stack's five Lambda functions",
            );
            assert.deepEqual(writesToMissingGroups(r), [], "writers whose log group the stack does not create");
        });

        it("every log group the stack creates has a writer (no orphan from a renamed service)", () => {
            assert.deepEqual(orphanGroups(r), []);
        });

        it(`retention is ${retention} days, except CloudTrail's ${CLOUDTRAIL_RETENTION_DAYS}`, () => {
            const wrong = [...groups.entries()]
                .map(([name, g]) => [name, g.inputs.retentionInDays, name.startsWith("/aws/cloudtrail/") ? CLOUDTRAIL_RETENTION_DAYS : retention])
                .filter(([, actual, expected]) => actual !== expected);
            assert.deepEqual(wrong, [], "[log group, retention, expected]");
        });

        it("metric filters read log groups the stack creates", () => {
            for (const f of findAll(r, "aws:cloudwatch/logMetricFilter:LogMetricFilter")) {
                assert.ok(groups.has(f.inputs.logGroupName), `${f.urn} reads ${f.inputs.logGroupName}`);
            }
        });
    });
}
