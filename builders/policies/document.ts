/**
 * Typed IAM policy documents, built by small pure functions from ARNs the components resolve.
 * Every statement carries a Sid so a reviewer (and a test) can name exactly what it grants.
 */
export type Condition = Record<string, Record<string, string | string[] | boolean>>;

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource?: string | string[];
    Principal?: "*" | { Service?: string | string[]; AWS?: string | string[] };
    Condition?: Condition;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
    const sids = statements.map((s) => s.Sid);
    const duplicate = sids.find((sid, i) => sids.indexOf(sid) !== i);
    if (duplicate) throw new Error(`policy document has two statements with Sid ${duplicate}`);
    return { Version: "2012-10-17", Statement: statements };
}

/** Account and partition context every ARN builder needs. */
export interface AwsContext {
    partition: string;
    region: string;
    accountId: string;
}

/**
 * Trust policy for a service role, with the confused-deputy guard AWS recommends: the service may
 * assume the role only on behalf of this account (and, where given, of these source ARNs).
 */
export function serviceTrustPolicy(service: string, ctx: AwsContext, sourceArnPattern?: string): PolicyDocument {
    const condition: Condition = { StringEquals: { "aws:SourceAccount": ctx.accountId } };
    if (sourceArnPattern) condition.ArnLike = { "aws:SourceArn": sourceArnPattern };
    return policyDocument({
        Sid: "AllowServiceAssumeRole",
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: condition,
    });
}

/**
 * Trust policy for a service whose assume-role request carries no confused-deputy context, so a
 * condition on `aws:SourceAccount` or `aws:SourceArn` would never match and the service could not
 * assume the role at all. Use it only where AWS documents that the keys are not supported, and name
 * that page at the call site (the policy pack's `iam-trust-condition-keys-sent` knows the cases).
 */
export function unconditionedServiceTrustPolicy(service: string): PolicyDocument {
    return policyDocument({
        Sid: "AllowServiceAssumeRole",
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
    });
}

/** Deny any request that does not use TLS (resource policies of buckets and queues). */
export function denyInsecureTransport(action: string, resources: string[]): PolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: action,
        Resource: resources,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/** Lets a function write to its own pre-created log group and nothing else. */
export function writeOwnLogsStatement(logGroupArn: string): PolicyStatement {
    return {
        Sid: "WriteOwnLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:log-stream:*`,
    };
}

export const arn = {
    s3Object: (ctx: Pick<AwsContext, "partition">, bucket: string, keyPattern: string) =>
        `arn:${ctx.partition}:s3:::${bucket}/${keyPattern}`,
    s3Bucket: (ctx: Pick<AwsContext, "partition">, bucket: string) => `arn:${ctx.partition}:s3:::${bucket}`,
    ecrRepository: (ctx: AwsContext, repositoryName: string) =>
        `arn:${ctx.partition}:ecr:${ctx.region}:${ctx.accountId}:repository/${repositoryName}`,
    lambdaFunction: (ctx: AwsContext, functionName: string) =>
        `arn:${ctx.partition}:lambda:${ctx.region}:${ctx.accountId}:function:${functionName}`,
    stateMachine: (ctx: AwsContext, name: string) =>
        `arn:${ctx.partition}:states:${ctx.region}:${ctx.accountId}:stateMachine:${name}`,
    /** Executions of a state machine: `execution:<name>:<executionName>`. */
    stateMachineExecutions: (ctx: AwsContext, name: string) =>
        `arn:${ctx.partition}:states:${ctx.region}:${ctx.accountId}:execution:${name}:*`,
    ecsTasksInCluster: (ctx: AwsContext, clusterName: string) =>
        `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:task/${clusterName}/*`,
    eventsRule: (ctx: AwsContext, ruleName: string) =>
        `arn:${ctx.partition}:events:${ctx.region}:${ctx.accountId}:rule/${ruleName}`,
    /** A role at the default path `/` (IAM is global: no region). */
    iamRole: (ctx: Pick<AwsContext, "partition" | "accountId">, roleName: string) => `arn:${ctx.partition}:iam::${ctx.accountId}:role/${roleName}`,
};
