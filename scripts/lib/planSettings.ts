/**
 * The few settings of each resource type a reviewer wants to see in a plan, as one line.
 * Types without an entry print no settings line.
 */
import { SynthResource } from "./synthesize";

type Summary = (inputs: Record<string, any>) => Record<string, unknown>;

const parse = (text: unknown) => {
    try {
        return typeof text === "string" ? JSON.parse(text) : text;
    } catch {
        return text;
    }
};

const SUMMARIES: Record<string, Summary> = {
    "aws:sqs/queue:Queue": (i) => ({
        name: i.name,
        visibilityTimeout: i.visibilityTimeoutSeconds,
        retention: i.messageRetentionSeconds,
        longPolling: i.receiveWaitTimeSeconds,
        sse: i.sqsManagedSseEnabled,
        redrive: parse(i.redrivePolicy),
    }),
    "aws:s3/bucket:Bucket": (i) => ({ bucket: i.bucket, forceDestroy: i.forceDestroy }),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (i) => ({
        rules: (i.rules ?? []).map((r: any) => `${r.id}: ${r.expiration?.days ?? r.abortIncompleteMultipartUpload?.daysAfterInitiation} d`),
    }),
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": (i) => ({ origins: i.corsRules?.[0]?.allowedOrigins }),
    "aws:ecr/repository:Repository": (i) => ({ name: i.name, scanOnPush: i.imageScanningConfiguration?.scanOnPush }),
    "aws:cloudwatch/logGroup:LogGroup": (i) => ({ name: i.name, retentionDays: i.retentionInDays }),
    "aws:ecs/taskDefinition:TaskDefinition": (i) => {
        const c = parse(i.containerDefinitions)?.[0] ?? {};
        return { family: i.family, cpu: i.cpu, memory: i.memory, arch: i.runtimePlatform?.cpuArchitecture, image: c.image, user: c.user, readonlyRoot: c.readonlyRootFilesystem };
    },
    "aws:sfn/stateMachine:StateMachine": (i) => ({
        name: i.name,
        type: i.type,
        logging: i.loggingConfiguration?.level,
        states: Object.keys(parse(i.definition)?.States ?? {}),
    }),
    "aws:lambda/function:Function": (i) => ({
        name: i.name,
        runtime: i.runtime,
        timeout: i.timeout,
        memory: i.memorySize,
        reservedConcurrency: i.reservedConcurrentExecutions,
        env: Object.keys(i.environment?.variables ?? {}),
    }),
    "aws:iam/rolePolicy:RolePolicy": (i) => ({
        statements: (parse(i.policy)?.Statement ?? []).map((s: any) => s.Sid),
    }),
    // Never the accessToken: it is a secret input and the plan text is shared in pull requests.
    "aws:amplify/app:App": (i) => ({ name: i.name, repository: i.repository, platform: i.platform }),
    "aws:amplify/branch:Branch": (i) => ({ branch: i.branchName, framework: i.framework, stage: i.stage, autoBuild: i.enableAutoBuild, env: Object.keys(i.environmentVariables ?? {}) }),
    "aws:amplify/domainAssociation:DomainAssociation": (i) => ({ domain: i.domainName, subDomains: (i.subDomains ?? []).map((d: any) => `${d.prefix}->${d.branchName}`) }),
    "aws:iam/policy:Policy": (i) => ({ name: i.name, statements: (parse(i.policy)?.Statement ?? []).map((s: any) => s.Sid) }),
    "aws:dynamodb/table:Table": (i) => ({ name: i.name, hashKey: i.hashKey, rangeKey: i.rangeKey, pitr: i.pointInTimeRecovery?.enabled, ttl: i.ttl?.attributeName }),
    "aws:ec2/subnet:Subnet": (i) => ({ cidr: i.cidrBlock }),
    "aws:ec2/vpc:Vpc": (i) => ({ cidr: i.cidrBlock }),
    "aws:ec2/securityGroup:SecurityGroup": (i) => ({
        ingress: (i.ingress ?? []).length,
        egress: (i.egress ?? []).map((e: any) => `${e.protocol}/${e.fromPort}`),
    }),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (i) => ({ metric: `${i.namespace}/${i.metricName}`, threshold: i.threshold, missing: i.treatMissingData }),
};

export function planSettings(resource: SynthResource): string {
    const summary = SUMMARIES[resource.type];
    if (!summary) return "";
    const values = Object.entries(summary(resource.inputs)).filter(([, v]) => v !== undefined);
    return values.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join("  ");
}
