/** HTTP API stages keep access logs (who called what) and throttle, so one client cannot run up the bill. */
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule } from "../lib/types";
import { hasValue, isPositiveNumber, isRecord } from "../lib/values";

export const STAGE_TYPE = "aws:apigatewayv2/stage:Stage";

export function checkStageAccessLogs(_type: string, props: Props): string[] {
    const settings = isRecord(props.accessLogSettings) ? props.accessLogSettings : {};
    return hasValue(settings, "destinationArn") && hasValue(settings, "format")
        ? []
        : ["stage must write access logs (accessLogSettings.destinationArn and format)"];
}

export function checkStageThrottling(_type: string, props: Props): string[] {
    const route = isRecord(props.defaultRouteSettings) ? props.defaultRouteSettings : {};
    return isPositiveNumber(route.throttlingBurstLimit) && isPositiveNumber(route.throttlingRateLimit)
        ? []
        : ["stage must throttle its routes (defaultRouteSettings.throttlingBurstLimit and throttlingRateLimit above 0)"];
}

export const apiGatewayRules: readonly ResourceRule[] = [
    resourceRule("apigateway-stage-access-logs", "Every API Gateway v2 stage writes access logs to CloudWatch Logs.", [STAGE_TYPE], checkStageAccessLogs),
    resourceRule("apigateway-stage-throttling", "Every API Gateway v2 stage sets default route throttling.", [STAGE_TYPE], checkStageThrottling),
];
