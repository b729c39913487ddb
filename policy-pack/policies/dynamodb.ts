/** Tables can be restored to any second of the last 35 days (sessions survive a bad write). */
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule } from "../lib/types";

export const TABLE_TYPE = "aws:dynamodb/table:Table";

export function checkPointInTimeRecovery(_type: string, props: Props): string[] {
    return props.pointInTimeRecovery?.enabled === true ? [] : ["table must enable point-in-time recovery (pointInTimeRecovery.enabled: true)"];
}

export const dynamodbRules: readonly ResourceRule[] = [
    resourceRule("dynamodb-point-in-time-recovery", "Every DynamoDB table has point-in-time recovery enabled.", [TABLE_TYPE], checkPointInTimeRecovery),
];
