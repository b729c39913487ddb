/**
 * IAM documents of the account bootstrap, pure (no Pulumi): the GitHub OIDC trust of each CI role and
 * what each role may do. Tests check every action against the IAM catalogue and every resource the
 * app stacks synthesize against the deploy role of its environment.
 *
 * The boundary (README "CI identities"):
 * - `preview` (pull requests, unreviewed code): reads its stacks' state and what a non-refresh
 *   `pulumi preview` asks of AWS (the caller's identity, availability zones, an ECR login token,
 *   which grants nothing by itself). It creates, changes, deletes, passes and signs nothing.
 * - `deploy-<env>` (jobs of the GitHub environment only): what `pulumi up` of that environment's app
 *   stack does, scoped to that environment's names (`stark-ballot-simulator-*-<env>`) wherever the
 *   service has resource-level permissions, plus `signer:SignPayload` on the bootstrap's profile (ECR
 *   managed signing signs with the identity that pushes). Account-level things the app stacks never
 *   touch are denied outright: the registry's signing configuration, the Signer profile itself, the
 *   OIDC provider and these CI roles. A deploy role writes IAM policies for the app's roles, which is
 *   inherent to deploying them; what keeps that safe is who may assume it (the environment's
 *   protection rules), not the policy.
 */
import { PROJECT_NAME } from "../builders/names";
import type { AwsContext, PolicyDocument, PolicyStatement } from "../builders/policies/document";
import { policyDocument } from "../builders/policies/document";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services */
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
/** The audience aws-actions/configure-aws-credentials requests. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** App environments, the GitHub environment each deploys from, and its stack. */
export const DEPLOY_ENVIRONMENTS = {
    develop: { githubEnvironment: "develop", stack: "develop" },
    main: { githubEnvironment: "production", stack: "main" },
} as const;
export type DeployEnvironment = keyof typeof DEPLOY_ENVIRONMENTS;

/**
 * CI role names. They do not start with the project prefix, so no app-stack pattern of a deploy
 * role (`role/stark-ballot-simulator-*`) can ever match them.
 */
export const CI_ROLE_NAMES = {
    preview: `gha-${PROJECT_NAME}-preview`,
    develop: `gha-${PROJECT_NAME}-deploy-develop`,
    main: `gha-${PROJECT_NAME}-deploy-main`,
} as const;

/** The exact `sub` claims GitHub issues: a pull-request job, and a job of each deploy environment. */
export function oidcSubjects(repository: string): { preview: string; develop: string; main: string } {
    return {
        preview: `repo:${repository}:pull_request`,
        develop: `repo:${repository}:environment:${DEPLOY_ENVIRONMENTS.develop.githubEnvironment}`,
        main: `repo:${repository}:environment:${DEPLOY_ENVIRONMENTS.main.githubEnvironment}`,
    };
}

/**
 * Trust for exactly one subject and the STS audience (StringEquals on both, never StringLike):
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
 */
export function githubTrustPolicy(oidcProviderArn: string, subject: string): PolicyDocument {
    return policyDocument({
        Sid: "GitHubActionsOidc",
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn } as PolicyStatement["Principal"],
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: {
                [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
                [`${GITHUB_OIDC_HOST}:sub`]: subject,
            },
        },
    });
}

export interface CiPolicyContext extends AwsContext {
    /** Bucket of the self-managed Pulumi backend (created by hand before the bootstrap stack). */
    stateBucketName: string;
    signingProfileArn: string;
}

/**
 * Objects of one stack in a DIY backend: `.pulumi/stacks/<project>/<stack>.json`, its backups,
 * history and locks (`.pulumi/{backups,history,locks/<org>}/<project>/<stack>/...`).
 * https://www.pulumi.com/docs/iac/concepts/state-and-backends/#using-a-diy-backend
 */
function stackStateObjects(c: CiPolicyContext, stack: string): string[] {
    const base = `arn:${c.partition}:s3:::${c.stateBucketName}/.pulumi`;
    return [`${base}/*${PROJECT_NAME}/${stack}.json*`, `${base}/*${PROJECT_NAME}/${stack}/*`];
}

function stateReadStatements(c: CiPolicyContext, objects: string[]): PolicyStatement[] {
    return [
        { Sid: "ListStateBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: `arn:${c.partition}:s3:::${c.stateBucketName}` },
        { Sid: "ReadBackendMetadata", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:${c.partition}:s3:::${c.stateBucketName}/.pulumi/meta.yaml` },
        { Sid: "ReadStackState", Effect: "Allow", Action: "s3:GetObject", Resource: objects },
    ];
}

/** Calls a non-refresh preview of an app stack makes (the program's only provider functions, SPEC §2). */
const PREVIEW_READS = ["ec2:DescribeAvailabilityZones", "ecr:GetAuthorizationToken"];

export function previewRolePolicy(c: CiPolicyContext): PolicyDocument {
    const objects = Object.values(DEPLOY_ENVIRONMENTS).flatMap((e) => stackStateObjects(c, e.stack));
    return policyDocument(...stateReadStatements(c, objects), {
        Sid: "PreviewReads",
        Effect: "Allow",
        // Neither action can be scoped to a resource.
        Action: PREVIEW_READS,
        Resource: "*",
    });
}

/** ARN builders for the names an app stack of `env` uses (builders/names.ts). */
function appArns(c: CiPolicyContext, env: string) {
    const p = c.partition;
    const at = `${c.region}:${c.accountId}`;
    const named = `${PROJECT_NAME}-*-${env}`;
    return {
        // Function roles are named after their function: `<function>-role`.
        roles: [`arn:${p}:iam::${c.accountId}:role/${named}`, `arn:${p}:iam::${c.accountId}:role/${named}-role`],
        // Customer managed policies the stack publishes for people to attach (the bundle operators').
        managedPolicies: `arn:${p}:iam::${c.accountId}:policy/${named}`,
        functions: `arn:${p}:lambda:${at}:function:${named}`,
        queues: `arn:${p}:sqs:${at}:${named}`,
        // Bucket names carry the account id after the environment unless configured explicitly.
        buckets: [`arn:${p}:s3:::${named}`, `arn:${p}:s3:::${named}-${c.accountId}`],
        tables: `arn:${p}:dynamodb:${at}:table/${named}`,
        repositories: `arn:${p}:ecr:${at}:repository/${PROJECT_NAME}-prover-${env}`,
        clusters: `arn:${p}:ecs:${at}:cluster/${named}`,
        taskDefinitions: `arn:${p}:ecs:${at}:task-definition/${named}:*`,
        stateMachines: `arn:${p}:states:${at}:stateMachine:${named}`,
        logGroups: [
            `arn:${p}:logs:${at}:log-group:/aws/lambda/${named}`,
            `arn:${p}:logs:${at}:log-group:/aws/lambda/${named}:*`,
            `arn:${p}:logs:${at}:log-group:/ecs/${named}`,
            `arn:${p}:logs:${at}:log-group:/ecs/${named}:*`,
            `arn:${p}:logs:${at}:log-group:/aws/vendedlogs/states/${named}`,
            `arn:${p}:logs:${at}:log-group:/aws/vendedlogs/states/${named}:*`,
            `arn:${p}:logs:${at}:log-group:/aws/apigateway/${named}`,
            `arn:${p}:logs:${at}:log-group:/aws/apigateway/${named}:*`,
            `arn:${p}:logs:${at}:log-group:/aws/cloudtrail/${named}`,
            `arn:${p}:logs:${at}:log-group:/aws/cloudtrail/${named}:*`,
        ],
        parameters: `arn:${p}:ssm:${at}:parameter/${PROJECT_NAME}/${env}/*`,
        topics: `arn:${p}:sns:${at}:${named}`,
        trails: `arn:${p}:cloudtrail:${at}:trail/${named}`,
        alarms: `arn:${p}:cloudwatch:${at}:alarm:${named}`,
        dashboards: `arn:${p}:cloudwatch::${c.accountId}:dashboard/${PROJECT_NAME}-${env}`,
        kmsAliases: `arn:${p}:kms:${at}:alias/${named}`,
        apis: [`arn:${p}:apigateway:${c.region}::/apis`, `arn:${p}:apigateway:${c.region}::/apis/*`, `arn:${p}:apigateway:${c.region}::/domainnames`, `arn:${p}:apigateway:${c.region}::/domainnames/*`, `arn:${p}:apigateway:${c.region}::/tags/*`],
    };
}

/**
 * AppSync actions that accept no resource ARN and no tag condition (the schema, data sources and
 * resolvers: "*" only, per the Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsappsync.html). A
 * deploy role can therefore reach another environment's resolvers in the same region: the one gap
 * in the develop/main boundary, bounded to this region.
 */
export const UNSCOPABLE_DATA_API_ACTIONS = [
    "appsync:StartSchemaCreation",
    "appsync:GetSchemaCreationStatus",
    "appsync:CreateDataSource",
    "appsync:UpdateDataSource",
    "appsync:DeleteDataSource",
    "appsync:GetDataSource",
    "appsync:CreateResolver",
    "appsync:UpdateResolver",
    "appsync:DeleteResolver",
    "appsync:GetResolver",
];

/** `Environment` tag conditions (every app-stack resource carries the tag through `aws:defaultTags`), in this region. */
function taggedWith(c: CiPolicyContext, env: string, key: "aws:RequestTag/Environment" | "aws:ResourceTag/Environment") {
    return { StringEquals: { "aws:RequestedRegion": c.region, [key]: env } };
}

function tagBoundStatement(Sid: string, Action: string[], Resource: string | string[], Condition: PolicyStatement["Condition"]): PolicyStatement {
    return { Sid, Effect: "Allow", Action, Resource, Condition };
}

/**
 * A log group whose name carries a random id instead of the environment (`/aws/appsync/apis/<id>`,
 * `/aws/amplify/<app id>`): created only with the `Environment` tag, changed only when it carries it.
 */
function tagBoundLogGroupStatements(c: CiPolicyContext, env: string, sidStem: string, prefix: string): PolicyStatement[] {
    const at = `${c.region}:${c.accountId}`;
    const groups = [`arn:${c.partition}:logs:${at}:log-group:${prefix}*`, `arn:${c.partition}:logs:${at}:log-group:${prefix}*:*`];
    return [
        tagBoundStatement(`Create${sidStem}LogGroup`, ["logs:CreateLogGroup", "logs:TagResource"], groups, taggedWith(c, env, "aws:RequestTag/Environment")),
        tagBoundStatement(
            `${sidStem}LogGroup`,
            ["logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:UntagResource", "logs:ListTagsForResource"],
            groups,
            taggedWith(c, env, "aws:ResourceTag/Environment"),
        ),
    ];
}

/**
 * The application's data API (components/dataApi.ts). Its API and its log group
 * (`/aws/appsync/apis/<generated id>`, a name no pattern can tie to an environment) are bound to the
 * environment by the `Environment` tag every resource gets from `aws:defaultTags`: created only with
 * it (aws:RequestTag), changed only when they carry it (aws:ResourceTag).
 */
function dataApiStatements(c: CiPolicyContext, env: string): PolicyStatement[] {
    const p = c.partition;
    const at = `${c.region}:${c.accountId}`;
    return [
        tagBoundStatement("CreateDataApi", ["appsync:CreateGraphqlApi"], "*", taggedWith(c, env, "aws:RequestTag/Environment")),
        tagBoundStatement(
            "DataApi",
            ["appsync:GetGraphqlApi", "appsync:UpdateGraphqlApi", "appsync:DeleteGraphqlApi", "appsync:TagResource", "appsync:UntagResource", "appsync:ListTagsForResource"],
            `arn:${p}:appsync:${at}:apis/*`,
            taggedWith(c, env, "aws:ResourceTag/Environment"),
        ),
        tagBoundStatement("DataApiSchemaAndResolvers", UNSCOPABLE_DATA_API_ACTIONS, "*", inRegion(c)),
        ...tagBoundLogGroupStatements(c, env, "DataApi", "/aws/appsync/apis/"),
    ];
}

/**
 * Amplify actions on a custom domain association, which carries no tags (neither the API's
 * CreateDomainAssociation nor Pulumi's DomainAssociation takes any), under an app id no name pattern
 * can tie to an environment: scoped to the `domains` resource type in this region only. A deploy role
 * can therefore reach the other environment's domain association: the hosting's one gap in the
 * develop/main boundary (the same kind as the data API's resolvers).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsamplify.html
 */
export const ENVIRONMENT_UNBOUND_HOSTING_ACTIONS = [
    "amplify:CreateDomainAssociation",
    "amplify:GetDomainAssociation",
    "amplify:UpdateDomainAssociation",
    "amplify:DeleteDomainAssociation",
];

/**
 * Web hosting (components/webHosting.ts): the Amplify app, the stack's branch, an optional custom
 * domain, and the SSR log group `/aws/amplify/<app id>`. Amplify ids are random, so the app and the
 * branch are bound by the `Environment` tag like the data API: CreateApp (no resource type) and
 * CreateBranch only with the tag in the request (both accept aws:RequestTag), everything else on
 * `apps` and `branches` only when the resource carries it (both resource types accept
 * aws:ResourceTag), per the Service Authorization Reference:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsamplify.html
 * CreateBranch names the new branch, not its app, so a deploy role could add a branch tagged with its
 * own environment to the other environment's app; it can read, change or delete neither that app nor
 * its branches. The service role the app runs its SSR logging with is passed by PassAppRoles.
 */
function hostingStatements(c: CiPolicyContext, env: string): PolicyStatement[] {
    const apps = `arn:${c.partition}:amplify:${c.region}:${c.accountId}:apps/*`;
    const branches = `${apps}/branches/*`;
    return [
        tagBoundStatement("CreateWebApp", ["amplify:CreateApp"], "*", taggedWith(c, env, "aws:RequestTag/Environment")),
        tagBoundStatement("CreateWebBranch", ["amplify:CreateBranch"], branches, taggedWith(c, env, "aws:RequestTag/Environment")),
        tagBoundStatement(
            "WebApp",
            ["amplify:GetApp", "amplify:UpdateApp", "amplify:DeleteApp", "amplify:ListBranches", "amplify:ListDomainAssociations"],
            apps,
            taggedWith(c, env, "aws:ResourceTag/Environment"),
        ),
        tagBoundStatement("WebBranch", ["amplify:GetBranch", "amplify:UpdateBranch", "amplify:DeleteBranch"], branches, taggedWith(c, env, "aws:ResourceTag/Environment")),
        tagBoundStatement(
            "WebTags",
            ["amplify:TagResource", "amplify:UntagResource", "amplify:ListTagsForResource"],
            [apps, branches],
            taggedWith(c, env, "aws:ResourceTag/Environment"),
        ),
        tagBoundStatement("WebDomain", ENVIRONMENT_UNBOUND_HOSTING_ACTIONS, `${apps}/domains/*`, inRegion(c)),
        ...tagBoundLogGroupStatements(c, env, "WebSsr", "/aws/amplify/"),
    ];
}

/** Conditions that bind an action without resource-level permissions to this region and environment's tags. */
function inRegion(c: CiPolicyContext) {
    return { StringEquals: { "aws:RequestedRegion": c.region } };
}

export function deployRolePolicy(c: CiPolicyContext, env: DeployEnvironment): PolicyDocument {
    const a = appArns(c, env);
    const stack = DEPLOY_ENVIRONMENTS[env].stack;
    const allow = (Sid: string, Action: string[], Resource: string | string[], Condition?: PolicyStatement["Condition"]): PolicyStatement => ({
        Sid,
        Effect: "Allow",
        Action,
        Resource,
        ...(Condition ? { Condition } : {}),
    });
    return policyDocument(
        ...stateReadStatements(c, stackStateObjects(c, stack)),
        allow("WriteStackState", ["s3:PutObject", "s3:DeleteObject"], stackStateObjects(c, stack)),
        // The preflight's read-only account checks (scripts/lib/preflight.ts): the registry's signing
        // rule and its Signer profile, Lambda's unreserved concurrency and the Fargate quota.
        allow("DescribeAccount", [...PREVIEW_READS, "ecr:GetSigningConfiguration", "lambda:GetAccountSettings"], "*"),
        allow("ReadFargateQuotas", ["servicequotas:GetServiceQuota", "servicequotas:GetAWSDefaultServiceQuota"], `arn:${c.partition}:servicequotas:${c.region}:${c.accountId}:fargate/*`),
        allow("ReadSigningProfile", ["signer:GetSigningProfile"], c.signingProfileArn),
        allow(
            "AppRoles",
            [
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:GetRole",
                "iam:UpdateRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:GetRolePolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
            ],
            a.roles,
        ),
        // An update of a managed policy is a new default version (and the oldest of five deleted).
        allow(
            "AppManagedPolicies",
            [
                "iam:CreatePolicy",
                "iam:DeletePolicy",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:ListPolicyVersions",
                "iam:CreatePolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:TagPolicy",
                "iam:UntagPolicy",
            ],
            a.managedPolicies,
        ),
        // Only to the services the app's roles are for (the Lambdas, the prover task, Step Functions, CloudTrail).
        // First ECS cluster / HTTP API stage logging of an account creates the services' linked roles.
        allow(
            "ServiceLinkedRoles",
            ["iam:CreateServiceLinkedRole"],
            [
                `arn:${c.partition}:iam::${c.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
                `arn:${c.partition}:iam::${c.accountId}:role/aws-service-role/ops.apigateway.amazonaws.com/AWSServiceRoleForAPIGateway`,
            ],
            { StringEquals: { "iam:AWSServiceName": ["ecs.amazonaws.com", "ops.apigateway.amazonaws.com"] } },
        ),
        allow("PassAppRoles", ["iam:PassRole"], a.roles, {
            StringEquals: { "iam:PassedToService": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "states.amazonaws.com", "cloudtrail.amazonaws.com", "appsync.amazonaws.com", "amplify.amazonaws.com"] },
        }),
        allow(
            "AppFunctions",
            [
                "lambda:CreateFunction",
                "lambda:DeleteFunction",
                "lambda:GetFunction",
                "lambda:GetFunctionConfiguration",
                "lambda:GetFunctionCodeSigningConfig",
                "lambda:GetFunctionConcurrency",
                "lambda:ListVersionsByFunction",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
                "lambda:PutFunctionConcurrency",
                "lambda:DeleteFunctionConcurrency",
                "lambda:AddPermission",
                "lambda:RemovePermission",
                "lambda:GetPolicy",
                "lambda:TagResource",
                "lambda:UntagResource",
                "lambda:ListTags",
            ],
            a.functions,
        ),
        // Event source mappings are addressed by UUID; creating one is bound to the app's functions.
        allow("CreateAppEventSourceMappings", ["lambda:CreateEventSourceMapping", "lambda:ListEventSourceMappings"], "*", {
            ...inRegion(c),
            StringLike: { "lambda:FunctionArn": a.functions },
        }),
        allow("AppEventSourceMappings", ["lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"], `arn:${c.partition}:lambda:${c.region}:${c.accountId}:event-source-mapping:*`, {
            StringLike: { "lambda:FunctionArn": a.functions },
        }),
        allow(
            "AppQueues",
            ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:GetQueueUrl", "sqs:TagQueue", "sqs:UntagQueue", "sqs:ListQueueTags"],
            a.queues,
        ),
        allow(
            "AppBuckets",
            [
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:ListBucket",
                // Reads: the provider refreshes every bucket sub-configuration.
                "s3:GetBucket*",
                "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutBucketOwnershipControls",
                "s3:PutBucketVersioning",
                "s3:PutBucketCORS",
                "s3:PutBucketTagging",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:GetEncryptionConfiguration",
                "s3:PutEncryptionConfiguration",
                "s3:GetAccelerateConfiguration",
                "s3:GetReplicationConfiguration",
                "s3:GetAnalyticsConfiguration",
                "s3:GetIntelligentTieringConfiguration",
                "s3:GetInventoryConfiguration",
                "s3:GetMetricsConfiguration",
            ],
            a.buckets,
        ),
        allow(
            "AppTables",
            ["dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable", "dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive", "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:ListTagsOfResource"],
            a.tables,
        ),
        allow(
            "AppRepositoryAndPush",
            [
                "ecr:CreateRepository",
                "ecr:DeleteRepository",
                "ecr:DescribeRepositories",
                "ecr:DescribeImages",
                "ecr:PutImageScanningConfiguration",
                "ecr:PutImageTagMutability",
                "ecr:PutLifecyclePolicy",
                "ecr:GetLifecyclePolicy",
                "ecr:DeleteLifecyclePolicy",
                "ecr:ListTagsForResource",
                "ecr:TagResource",
                "ecr:UntagResource",
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
                "ecr:PutImage",
            ],
            a.repositories,
        ),
        // ECR managed signing signs with the pushing identity: https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html
        allow("SignProverImages", ["signer:SignPayload"], c.signingProfileArn),
        allow("AppCluster", ["ecs:CreateCluster", "ecs:DeleteCluster", "ecs:DescribeClusters", "ecs:UpdateCluster", "ecs:PutClusterCapacityProviders", "ecs:TagResource", "ecs:UntagResource", "ecs:ListTagsForResource"], a.clusters),
        // Task definitions are read without resource-level permissions.
        allow("DescribeTaskDefinitions", ["ecs:DescribeTaskDefinition"], "*", inRegion(c)),
        allow("AppTaskDefinitions", ["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:TagResource"], a.taskDefinitions),
        allow("AppStateMachine", ["states:CreateStateMachine", "states:DeleteStateMachine", "states:DescribeStateMachine", "states:UpdateStateMachine", "states:TagResource", "states:UntagResource", "states:ListTagsForResource"], a.stateMachines),
        allow("AppLogGroups", ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:PutMetricFilter", "logs:DeleteMetricFilter", "logs:DescribeMetricFilters"], a.logGroups),
        allow("DescribeLogGroups", ["logs:DescribeLogGroups"], "*", inRegion(c)),
        ...dataApiStatements(c, env),
        ...hostingStatements(c, env),
        // Step Functions and API Gateway deliver logs through CloudWatch Logs' vended-log delivery,
        // set up with the caller's permissions; these actions accept no narrower resource.
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-CloudWatchLogs.html
        // https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
        allow(
            "VendedLogDelivery",
            ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies"],
            "*",
            inRegion(c),
        ),
        allow("AppParameters", ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"], a.parameters),
        allow("DescribeParameters", ["ssm:DescribeParameters"], "*", inRegion(c)),
        allow("AppAlarmTopic", ["sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource"], a.topics),
        allow("AppTrail", ["cloudtrail:CreateTrail", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:StartLogging", "cloudtrail:StopLogging", "cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors", "cloudtrail:PutEventSelectors", "cloudtrail:AddTags", "cloudtrail:RemoveTags", "cloudtrail:ListTags"], a.trails),
        allow("DescribeTrails", ["cloudtrail:DescribeTrails"], "*", inRegion(c)),
        allow("AppAlarms", ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"], a.alarms),
        allow("AppDashboard", ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"], a.dashboards),
        // A customer-managed key has only a random id: bound by the Environment tag every resource of
        // the stack carries (aws:defaultTags), at creation and afterwards.
        allow("CreateAppAlarmKey", ["kms:CreateKey", "kms:ListAliases"], "*", { ...inRegion(c), StringEqualsIfExists: { "aws:RequestTag/Environment": env } }),
        allow(
            "AppAlarmKey",
            ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            `arn:${c.partition}:kms:${c.region}:${c.accountId}:key/*`,
            { StringEquals: { "aws:ResourceTag/Environment": env } },
        ),
        allow("AppAlarmKeyAlias", ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"], a.kmsAliases),
        allow("AppHttpApi", ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"], a.apis),
        // VPC resources get ids, not names: bounded to this account and region and an explicit action list.
        allow("DescribeNetwork", ["ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeInternetGateways", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists", "ec2:DescribeNetworkInterfaces"], "*", inRegion(c)),
        allow(
            "AppNetwork",
            [
                "ec2:CreateVpc",
                "ec2:DeleteVpc",
                "ec2:ModifyVpcAttribute",
                "ec2:DescribeVpcAttribute",
                "ec2:CreateSubnet",
                "ec2:DeleteSubnet",
                "ec2:ModifySubnetAttribute",
                "ec2:CreateInternetGateway",
                "ec2:DeleteInternetGateway",
                "ec2:AttachInternetGateway",
                "ec2:DetachInternetGateway",
                "ec2:CreateRouteTable",
                "ec2:DeleteRouteTable",
                "ec2:CreateRoute",
                "ec2:DeleteRoute",
                "ec2:AssociateRouteTable",
                "ec2:DisassociateRouteTable",
                "ec2:CreateSecurityGroup",
                "ec2:DeleteSecurityGroup",
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupEgress",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:CreateVpcEndpoint",
                "ec2:DeleteVpcEndpoints",
                "ec2:ModifyVpcEndpoint",
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            `arn:${c.partition}:ec2:${c.region}:${c.accountId}:*`,
        ),
        {
            Sid: "DenyAccountLevel",
            Effect: "Deny",
            Action: [
                "ecr:PutSigningConfiguration",
                "ecr:DeleteSigningConfiguration",
                "signer:PutSigningProfile",
                "signer:CancelSigningProfile",
                "signer:RevokeSignature",
                "signer:RevokeSigningProfile",
                "signer:AddProfilePermission",
                "signer:RemoveProfilePermission",
                "iam:CreateOpenIDConnectProvider",
                "iam:DeleteOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider",
            ],
            Resource: "*",
        },
        {
            Sid: "DenyCiRoles",
            Effect: "Deny",
            Action: ["iam:*"],
            // The roles and the managed policies that make up the deploy roles' permissions.
            Resource: [`arn:${c.partition}:iam::${c.accountId}:role/gha-${PROJECT_NAME}-*`, `arn:${c.partition}:iam::${c.accountId}:policy/gha-${PROJECT_NAME}-*`],
        },
    );
}

/**
 * IAM's size limits: a role's inline policies together at most 10,240 characters, a managed policy
 * at most 6,144, whitespace not counted; 10 managed policies per role by default.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * A deploy role's document is far over the inline limit, so it is attached as this many customer
 * managed policies. The count is fixed (resources cannot depend on a resolved size); a test keeps
 * every part under the limit for the longest names a stack can have.
 */
export const MANAGED_POLICY_MAX_CHARACTERS = 6144;
export const DEPLOY_POLICY_PARTS = 4;

/** The size IAM counts: the document's JSON without whitespace. */
export function policySize(doc: PolicyDocument): number {
    return JSON.stringify(doc).replace(/\s/g, "").length;
}

/**
 * The document's statements, in order, cut into exactly `parts` documents with the largest as small
 * as possible (contiguous linear partition). Throws when a part exceeds `maxCharacters`, naming it.
 */
export function splitPolicyDocument(doc: PolicyDocument, parts: number, maxCharacters: number): PolicyDocument[] {
    const statements = doc.Statement;
    if (statements.length < parts) throw new Error(`cannot split ${statements.length} statements into ${parts} policies`);
    const size = (from: number, to: number) => policySize(policyDocument(...statements.slice(from, to)));
    // best[k][i]: the smallest possible largest part when the first i statements form k parts.
    const best = Array.from({ length: parts + 1 }, () => new Array<number>(statements.length + 1).fill(Infinity));
    const cut = Array.from({ length: parts + 1 }, () => new Array<number>(statements.length + 1).fill(0));
    best[0][0] = 0;
    for (let k = 1; k <= parts; k++) {
        for (let i = k; i <= statements.length; i++) {
            for (let j = k - 1; j < i; j++) {
                const candidate = Math.max(best[k - 1][j], size(j, i));
                if (candidate < best[k][i]) {
                    best[k][i] = candidate;
                    cut[k][i] = j;
                }
            }
        }
    }
    const bounds: number[] = [statements.length];
    for (let k = parts, i = statements.length; k > 0; k--) {
        i = cut[k][i];
        bounds.unshift(i);
    }
    const documents = bounds.slice(0, -1).map((from, index) => policyDocument(...statements.slice(from, bounds[index + 1])));
    documents.forEach((part, index) => {
        if (policySize(part) > maxCharacters) {
            throw new Error(`policy part ${index + 1} of ${parts} has ${policySize(part)} characters; IAM allows ${maxCharacters} (raise DEPLOY_POLICY_PARTS)`);
        }
    });
    return documents;
}

/** The deploy role's document as the managed policies attached to it. */
export function deployRolePolicyParts(c: CiPolicyContext, env: DeployEnvironment): PolicyDocument[] {
    return splitPolicyDocument(deployRolePolicy(c, env), DEPLOY_POLICY_PARTS, MANAGED_POLICY_MAX_CHARACTERS);
}
