/**
 * Pulumi runtime mocks that behave like a small, deterministic AWS account: resources get the ARNs,
 * URLs and names AWS would give them (derived from their inputs), and only the provider functions
 * SPEC §2 allows may be called; any other token throws, so a new data-source call cannot slip in.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export interface MockAccount {
    accountId: string;
    region: string;
    partition: string;
    /** ARN getCallerIdentity reports (to exercise the deployer-role check). */
    callerArn: string;
}

export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

export const ALLOWED_INVOKES = [
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:index/getRegion:getRegion",
    "aws:index/getPartition:getPartition",
    "aws:index/getAvailabilityZones:getAvailabilityZones",
    "aws:ecr/getAuthorizationToken:getAuthorizationToken",
] as const;

const shortHash = (text: string, length = 17) => createHash("sha256").update(text).digest("hex").slice(0, length);

/** Computed outputs of a resource, as AWS would report them after creation. */
export function mockState(type: string, name: string, inputs: Record<string, any>, a: MockAccount): { id: string; state: Record<string, any> } {
    const p = a.partition;
    const at = `${a.region}:${a.accountId}`;
    const physical = (key = "name") => (inputs[key] as string | undefined) ?? `${name}-${shortHash(name, 7)}`;
    switch (type) {
        case "aws:sqs/queue:Queue": {
            const n = physical();
            return { id: `https://sqs.${a.region}.amazonaws.com/${a.accountId}/${n}`, state: { ...inputs, name: n, arn: `arn:${p}:sqs:${at}:${n}`, url: `https://sqs.${a.region}.amazonaws.com/${a.accountId}/${n}` } };
        }
        case "aws:s3/bucket:Bucket": {
            const n = physical("bucket");
            return { id: n, state: { ...inputs, bucket: n, arn: `arn:${p}:s3:::${n}`, bucketRegionalDomainName: `${n}.s3.${a.region}.amazonaws.com` } };
        }
        case "aws:ecr/repository:Repository": {
            const n = physical();
            return { id: n, state: { ...inputs, name: n, registryId: a.accountId, arn: `arn:${p}:ecr:${at}:repository/${n}`, repositoryUrl: `${a.accountId}.dkr.ecr.${a.region}.amazonaws.com/${n}` } };
        }
        case "aws:cloudwatch/logGroup:LogGroup": {
            const n = physical();
            return { id: n, state: { ...inputs, name: n, arn: `arn:${p}:logs:${at}:log-group:${n}` } };
        }
        case "aws:iam/role:Role": {
            const n = physical();
            return { id: n, state: { ...inputs, name: n, arn: `arn:${p}:iam::${a.accountId}:role/${n}`, uniqueId: `AROA${shortHash(n, 16).toUpperCase()}` } };
        }
        case "aws:ecs/cluster:Cluster": {
            const n = physical();
            return { id: `arn:${p}:ecs:${at}:cluster/${n}`, state: { ...inputs, name: n, arn: `arn:${p}:ecs:${at}:cluster/${n}` } };
        }
        case "aws:ecs/taskDefinition:TaskDefinition": {
            const family = inputs.family as string;
            return { id: family, state: { ...inputs, revision: 1, arn: `arn:${p}:ecs:${at}:task-definition/${family}:1`, arnWithoutRevision: `arn:${p}:ecs:${at}:task-definition/${family}` } };
        }
        case "aws:lambda/function:Function": {
            const n = physical();
            const fnArn = `arn:${p}:lambda:${at}:function:${n}`;
            return { id: n, state: { ...inputs, name: n, arn: fnArn, qualifiedArn: `${fnArn}:$LATEST`, invokeArn: `arn:${p}:apigateway:${a.region}:lambda:path/2015-03-31/functions/${fnArn}/invocations`, version: "$LATEST" } };
        }
        case "aws:sfn/stateMachine:StateMachine": {
            const n = physical();
            return { id: `arn:${p}:states:${at}:stateMachine:${n}`, state: { ...inputs, name: n, arn: `arn:${p}:states:${at}:stateMachine:${n}` } };
        }
        case "aws:sns/topic:Topic": {
            const n = physical();
            return { id: `arn:${p}:sns:${at}:${n}`, state: { ...inputs, name: n, arn: `arn:${p}:sns:${at}:${n}` } };
        }
        case "aws:dynamodb/table:Table": {
            const n = physical();
            return { id: n, state: { ...inputs, name: n, arn: `arn:${p}:dynamodb:${at}:table/${n}` } };
        }
        case "aws:apigatewayv2/api:Api": {
            const id = shortHash(name, 10);
            return { id, state: { ...inputs, arn: `arn:${p}:apigateway:${a.region}::/apis/${id}`, apiEndpoint: `https://${id}.execute-api.${a.region}.amazonaws.com`, executionArn: `arn:${p}:execute-api:${at}:${id}` } };
        }
        case "aws:apigatewayv2/stage:Stage": {
            const id = inputs.name ?? name;
            return { id, state: { ...inputs, invokeUrl: `https://${shortHash(String(inputs.apiId), 10)}.execute-api.${a.region}.amazonaws.com/${id === "$default" ? "" : id}` } };
        }
        case "aws:apigatewayv2/domainName:DomainName": {
            const n = String(inputs.domainName);
            // A regional custom domain: the DNS record of the name must point at targetDomainName.
            const configuration = { ...(inputs.domainNameConfiguration ?? {}), targetDomainName: `d-${shortHash(n, 10)}.execute-api.${a.region}.amazonaws.com`, hostedZoneId: "Z1YSHQZHG15GKL" };
            return { id: n, state: { ...inputs, arn: `arn:${p}:apigateway:${a.region}::/domainnames/${n}`, apiMappingSelectionExpression: "$request.basepath", domainNameConfiguration: configuration } };
        }
        case "aws:ssm/parameter:Parameter": {
            const n = physical();
            return { id: n, state: { ...inputs, name: n, arn: `arn:${p}:ssm:${at}:parameter${n.startsWith("/") ? "" : "/"}${n}` } };
        }
        case "aws:cloudtrail/trail:Trail": {
            const n = physical();
            return { id: n, state: { ...inputs, name: n, arn: `arn:${p}:cloudtrail:${at}:trail/${n}` } };
        }
        case "aws:cloudwatch/metricAlarm:MetricAlarm": {
            const n = physical();
            return { id: n, state: { ...inputs, name: n, arn: `arn:${p}:cloudwatch:${at}:alarm:${n}` } };
        }
        case "aws:appsync/graphQLApi:GraphQLApi": {
            // AppSync API ids are 26 lower-case letters and digits, unique per API (so per stack: the
            // name carries the stack's scope); the endpoint is derived from it.
            const id = shortHash(`${a.accountId}/${a.region}/${inputs.name ?? name}`, 26);
            return { id, state: { ...inputs, arn: `arn:${p}:appsync:${at}:apis/${id}`, uris: { GRAPHQL: `https://${id}.appsync-api.${a.region}.amazonaws.com/graphql`, REALTIME: `wss://${id}.appsync-realtime-api.${a.region}.amazonaws.com/graphql` } } };
        }
        case "aws:iam/policy:Policy": {
            const n = physical();
            return { id: `arn:${p}:iam::${a.accountId}:policy/${n}`, state: { ...inputs, name: n, arn: `arn:${p}:iam::${a.accountId}:policy/${n}` } };
        }
        case "aws:amplify/app:App": {
            // App ids are `d` and 13 lower-case alphanumerics, unique per app (the name carries the
            // stack's scope); the default domain is `<id>.amplifyapp.com`.
            const id = `d${shortHash(`${a.accountId}/${a.region}/${inputs.name ?? name}`, 13)}`;
            return { id, state: { ...inputs, arn: `arn:${p}:amplify:${at}:apps/${id}`, defaultDomain: `${id}.amplifyapp.com` } };
        }
        case "aws:amplify/branch:Branch": {
            const branchName = String(inputs.branchName);
            return { id: `${inputs.appId}/${branchName}`, state: { ...inputs, arn: `arn:${p}:amplify:${at}:apps/${inputs.appId}/branches/${branchName}` } };
        }
        case "aws:amplify/domainAssociation:DomainAssociation": {
            const domain = String(inputs.domainName);
            const target = `d${shortHash(domain, 13)}.cloudfront.net`;
            const subDomains = (inputs.subDomains ?? []).map((sd: { branchName: string; prefix: string }) => ({
                ...sd,
                dnsRecord: `${sd.prefix} CNAME ${target}`,
                verified: false,
            }));
            return {
                id: `${inputs.appId}/${domain}`,
                state: {
                    ...inputs,
                    subDomains,
                    arn: `arn:${p}:amplify:${at}:apps/${inputs.appId}/domains/${domain}`,
                    certificateVerificationDnsRecord: `_${shortHash(`cert:${domain}`, 32)}.${domain}. CNAME _${shortHash(`validation:${domain}`, 32)}.acm-validations.aws.`,
                },
            };
        }
        case "docker:index/image:Image": {
            const repository = String(inputs.imageName).replace(/:[^:/]+$/, "");
            const digest = `sha256:${createHash("sha256").update(JSON.stringify(inputs.build ?? {})).digest("hex")}`;
            return { id: `${repository}@${digest}`, state: { ...inputs, repoDigest: `${repository}@${digest}` } };
        }
        default: {
            const service = type.split(":")[1]?.split("/")[0] ?? "mock";
            const id = `${name}-${shortHash(type + name, 8)}`;
            return { id, state: { ...inputs, arn: inputs.arn ?? `arn:${p}:${service}:${at}:${id}` } };
        }
    }
}

/** Answers the allowed provider functions; throws on any other token. */
export function mockCall(token: string, args: Record<string, any>, a: MockAccount): Record<string, any> {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: a.accountId, arn: a.callerArn, userId: "AROAOFFLINE:offline", id: a.accountId };
        case "aws:index/getRegion:getRegion":
            return { name: a.region, region: a.region, id: a.region, endpoint: `ec2.${a.region}.amazonaws.com` };
        case "aws:index/getPartition:getPartition":
            return { partition: a.partition, dnsSuffix: "amazonaws.com", id: a.partition, reverseDnsPrefix: "com.amazonaws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: ["a", "c", "d"].map((z) => `${a.region}${z}`), zoneIds: ["1", "2", "3"].map((z) => `apne1-az${z}`), id: a.region, state: args.state };
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
                userName: "AWS",
                password: "offline-registry-password",
                authorizationToken: "b2ZmbGluZQ==",
                proxyEndpoint: `https://${args.registryId ?? a.accountId}.dkr.ecr.${a.region}.amazonaws.com`,
                id: a.region,
            };
        default:
            throw new Error(`unexpected provider function call ${token}: SPEC §2 allows only ${ALLOWED_INVOKES.join(", ")}`);
    }
}

export function createMocks(a: MockAccount, sink: { resources: RecordedResource[]; invokes: string[] }): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            sink.resources.push({ type: args.type, name: args.name, inputs: args.inputs });
            return mockState(args.type, args.name, args.inputs, a);
        },
        call(args: pulumi.runtime.MockCallArgs) {
            sink.invokes.push(args.token);
            return mockCall(args.token, args.inputs, a);
        },
    };
}
