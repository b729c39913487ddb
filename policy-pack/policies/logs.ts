/** Log groups expire their events; CloudWatch Logs otherwise keeps (and bills) them forever. */
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule } from "../lib/types";
import { isPositiveNumber } from "../lib/values";

export const LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup";

export function checkLogGroupRetention(_type: string, props: Props): string[] {
    return isPositiveNumber(props.retentionInDays) ? [] : ["log group must set retentionInDays (otherwise its events never expire)"];
}

export const logsRules: readonly ResourceRule[] = [
    resourceRule("cloudwatch-log-group-retention", "Every CloudWatch log group sets a retention period.", [LOG_GROUP_TYPE], checkLogGroupRetention),
];
