/** The single-resource rules that read one setting: each has a compliant and violating case per message. */
import * as assert from "node:assert/strict";
import { checkStageAccessLogs, checkStageThrottling } from "../../policy-pack/policies/apiGateway";
import { checkLogFileValidation } from "../../policy-pack/policies/cloudtrail";
import { checkPointInTimeRecovery } from "../../policy-pack/policies/dynamodb";
import { checkLogGroupRetention } from "../../policy-pack/policies/logs";
import { checkStateMachineLogging } from "../../policy-pack/policies/stepFunctions";
import { Props } from "../../policy-pack/lib/types";

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // CrossGuard's sentinel for an unknown string during preview
const LOG_ARN = "arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/vendedlogs/states/sm";

interface Case {
    policy: string;
    check: (type: string, props: Props) => string[];
    type: string;
    compliant: Props[];
    violating: Array<[Props, string[]]>;
}

const SFN_LEVEL = "state machine must log executions (loggingConfiguration.level ALL, ERROR or FATAL)";
const SFN_DESTINATION = "state machine must send its logs to a log group (loggingConfiguration.logDestination)";
const STAGE_LOGS = "stage must write access logs (accessLogSettings.destinationArn and format)";
const STAGE_THROTTLE = "stage must throttle its routes (defaultRouteSettings.throttlingBurstLimit and throttlingRateLimit above 0)";

const cases: Case[] = [
    {
        policy: "sfn-state-machine-logging",
        check: checkStateMachineLogging,
        type: "aws:sfn/stateMachine:StateMachine",
        compliant: [
            { loggingConfiguration: { level: "ALL", includeExecutionData: false, logDestination: `${LOG_ARN}:*` } },
            { loggingConfiguration: { level: "ERROR", logDestination: UNKNOWN_STRING } },
        ],
        violating: [
            [{}, [SFN_LEVEL, SFN_DESTINATION]],
            [{ loggingConfiguration: { level: "OFF", logDestination: `${LOG_ARN}:*` } }, [SFN_LEVEL]],
            [{ loggingConfiguration: { level: "ALL" } }, [SFN_DESTINATION]],
        ],
    },
    {
        policy: "cloudwatch-log-group-retention",
        check: checkLogGroupRetention,
        type: "aws:cloudwatch/logGroup:LogGroup",
        compliant: [{ retentionInDays: 7 }, { retentionInDays: 90 }],
        violating: [
            [{ name: "/aws/lambda/api" }, ["log group must set retentionInDays (otherwise its events never expire)"]],
            [{ retentionInDays: 0 }, ["log group must set retentionInDays (otherwise its events never expire)"]],
        ],
    },
    {
        policy: "apigateway-stage-access-logs",
        check: checkStageAccessLogs,
        type: "aws:apigatewayv2/stage:Stage",
        compliant: [
            { accessLogSettings: { destinationArn: LOG_ARN, format: "$context.requestId" } },
            { accessLogSettings: { destinationArn: UNKNOWN_STRING, format: "$context.requestId" } },
        ],
        violating: [
            [{}, [STAGE_LOGS]],
            [{ accessLogSettings: { destinationArn: LOG_ARN } }, [STAGE_LOGS]],
            [{ accessLogSettings: { destinationArn: "", format: "$context.requestId" } }, [STAGE_LOGS]],
        ],
    },
    {
        policy: "apigateway-stage-throttling",
        check: checkStageThrottling,
        type: "aws:apigatewayv2/stage:Stage",
        compliant: [{ defaultRouteSettings: { throttlingBurstLimit: 50, throttlingRateLimit: 25.5 } }],
        violating: [
            [{}, [STAGE_THROTTLE]],
            [{ defaultRouteSettings: { throttlingBurstLimit: 50 } }, [STAGE_THROTTLE]],
            [{ defaultRouteSettings: { throttlingBurstLimit: 0, throttlingRateLimit: 10 } }, [STAGE_THROTTLE]],
        ],
    },
    {
        policy: "dynamodb-point-in-time-recovery",
        check: checkPointInTimeRecovery,
        type: "aws:dynamodb/table:Table",
        compliant: [{ pointInTimeRecovery: { enabled: true } }],
        violating: [
            [{}, ["table must enable point-in-time recovery (pointInTimeRecovery.enabled: true)"]],
            [{ pointInTimeRecovery: { enabled: false } }, ["table must enable point-in-time recovery (pointInTimeRecovery.enabled: true)"]],
        ],
    },
    {
        policy: "cloudtrail-log-file-validation",
        check: checkLogFileValidation,
        type: "aws:cloudtrail/trail:Trail",
        compliant: [{ enableLogFileValidation: true }],
        violating: [
            [{}, ["trail must enable log file validation (enableLogFileValidation: true)"]],
            [{ enableLogFileValidation: false }, ["trail must enable log file validation (enableLogFileValidation: true)"]],
        ],
    },
];

describe("single-setting resource policies", () => {
    for (const c of cases) {
        describe(c.policy, () => {
            c.compliant.forEach((props, i) => {
                it(`passes compliant case ${i + 1}`, () => assert.deepStrictEqual(c.check(c.type, props), []));
            });
            c.violating.forEach(([props, expected], i) => {
                it(`reports violating case ${i + 1}`, () => assert.deepStrictEqual(c.check(c.type, props), expected));
            });
        });
    }
});
