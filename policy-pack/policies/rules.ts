/** Every rule of the pack, in the order `pulumi preview` and the offline evaluator report them. */
import { Rule } from "../lib/types";
import { apiGatewayRules } from "./apiGateway";
import { appsyncRules } from "./appsync";
import { awsAcceptanceRules } from "./awsAcceptance";
import { cloudtrailRules } from "./cloudtrail";
import { dynamodbRules } from "./dynamodb";
import { ecrRules } from "./ecr";
import { ecsRules } from "./ecs";
import { iamRules } from "./iam";
import { lambdaRules } from "./lambda";
import { lambdaCodeRules } from "./lambdaCode";
import { logsRules } from "./logs";
import { oidcTrustRules } from "./oidcTrust";
import { protectionRules } from "./protection";
import { s3Rules } from "./s3";
import { sqsRules } from "./sqs";
import { stepFunctionsRules } from "./stepFunctions";

export const RULES: readonly Rule[] = [
    ...s3Rules,
    ...sqsRules,
    ...ecrRules,
    ...ecsRules,
    ...stepFunctionsRules,
    ...logsRules,
    ...iamRules,
    ...oidcTrustRules,
    ...lambdaRules,
    ...lambdaCodeRules,
    ...apiGatewayRules,
    ...dynamodbRules,
    ...appsyncRules,
    ...cloudtrailRules,
    ...protectionRules,
    ...awsAcceptanceRules,
];

export const POLICY_NAMES: readonly string[] = RULES.map((r) => r.name);
