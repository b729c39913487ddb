/**
 * SPEC §3/§4: every log group of the stack is created by the stack, with the environment's
 * retention, before anything writes to it. Walks every synthesized resource that writes logs, so a
 * new Lambda, task, state machine, stage or trail without its pre-created group fails here.
 */
import * as assert from "node:assert/strict";
import { SynthResource, SynthResult } from "../../scripts/lib/synthesize";
import { findAll, synth } from "../support/synth";

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
function logWriters(r: SynthResult): LogWriter[] {
    const writers: LogWriter[] = [];
    const add = (resource: SynthResource, logGroupName: string, what = "") =>
        writers.push({ writer: `${resource.urn}${what}`, logGroupName });

    for (const fn of findAll(r, "aws:lambda/function:Function")) {
        // Without loggingConfig.logGroup, Lambda writes to (and creates) /aws/lambda/<name>.
        add(fn, fn.inputs.loggingConfig?.logGroup ?? `/aws/lambda/${fn.inputs.name}`);
    }
    for (const td of findAll(r, "aws:ecs/taskDefinition:TaskDefinition")) {
        const containers = JSON.parse(td.inputs.containerDefinitions) as Array<{ name: string; logConfiguration?: { logDriver: string; options: Record<string, string> } }>;
        for (const c of containers) {
            assert.equal(c.logConfiguration?.logDriver, "awslogs", `${td.urn} container ${c.name} logs with awslogs`);
            const options = c.logConfiguration?.options ?? {};
            assert.notEqual(options["awslogs-create-group"], "true", `${td.urn} container ${c.name} must not create its own log group`);
            add(td, options["awslogs-group"], ` container ${c.name}`);
        }
    }
    for (const sm of findAll(r, "aws:sfn/stateMachine:StateMachine")) {
        add(sm, logGroupNameOfArn(sm.inputs.loggingConfiguration?.logDestination, sm.urn));
    }
    for (const stage of findAll(r, "aws:apigatewayv2/stage:Stage")) {
        add(stage, logGroupNameOfArn(stage.inputs.accessLogSettings?.destinationArn, stage.urn));
    }
    for (const trail of findAll(r, "aws:cloudtrail/trail:Trail")) {
        add(trail, logGroupNameOfArn(trail.inputs.cloudWatchLogsGroupArn, trail.urn));
    }
    return writers;
}

for (const env of ["develop", "main"] as const) {
    describe(`log groups in ${env} (synthesized)`, function () {
        const retention = env === "develop" ? 7 : 14;
        let r: SynthResult;
        let groups: Map<string, SynthResource>;
        let writers: LogWriter[];
        before(async () => {
            r = await synth(env);
            groups = new Map(findAll(r, LOG_GROUP).map((g) => [g.inputs.name as string, g]));
            writers = logWriters(r);
        });

        it("every log group has a name (nothing is named by Pulumi's random suffix) and a retention", () => {
            const all = findAll(r, LOG_GROUP);
            assert.equal(groups.size, all.length, "log group names are unique");
            for (const g of all) {
                assert.equal(typeof g.inputs.name, "string", `${g.urn} has a name`);
                assert.ok(Number.isInteger(g.inputs.retentionInDays) && g.inputs.retentionInDays > 0, `${g.urn} sets retentionInDays`);
            }
        });

        it("writes from every Lambda function, task container, state machine, API stage and trail go to a log group the stack creates", () => {
            assert.ok(findAll(r, "aws:lambda/function:Function").length >= 4, "the stack's four Lambda functions are synthesized");
            const missing = writers.filter((w) => !groups.has(w.logGroupName)).map((w) => `${w.writer} -> ${w.logGroupName}`);
            assert.deepEqual(missing, [], "writers whose log group the stack does not create");
        });

        it("every log group the stack creates has a writer (no orphan from a renamed service)", () => {
            const written = new Set(writers.map((w) => w.logGroupName));
            assert.deepEqual([...groups.keys()].filter((n) => !written.has(n)), []);
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
