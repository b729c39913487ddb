/** State machines log their executions to CloudWatch Logs, the only trace of a failed proof run. */
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule } from "../lib/types";
import { hasValue, isRecord } from "../lib/values";

export const STATE_MACHINE_TYPE = "aws:sfn/stateMachine:StateMachine";
const LOGGING_LEVELS = ["ALL", "ERROR", "FATAL"];

export function checkStateMachineLogging(_type: string, props: Props): string[] {
    const logging = isRecord(props.loggingConfiguration) ? props.loggingConfiguration : {};
    const violations: string[] = [];
    if (!LOGGING_LEVELS.includes(logging.level)) {
        violations.push("state machine must log executions (loggingConfiguration.level ALL, ERROR or FATAL)");
    }
    if (!hasValue(logging, "logDestination")) {
        violations.push("state machine must send its logs to a log group (loggingConfiguration.logDestination)");
    }
    return violations;
}

export const stepFunctionsRules: readonly ResourceRule[] = [
    resourceRule(
        "sfn-state-machine-logging",
        "Every Step Functions state machine logs executions to a CloudWatch log group.",
        [STATE_MACHINE_TYPE],
        checkStateMachineLogging,
    ),
];
