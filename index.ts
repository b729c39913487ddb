/**
 * Composition root: stack settings -> components -> stack outputs. Nothing else happens here.
 *
 * The program is an async function whose promise is the module's export: the Pulumi runtime awaits
 * it, so the configuration and the deploying identity are checked before any resource is registered.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AppApi } from "./components/appApi";
import { DataApi } from "./components/dataApi";
import { Network } from "./components/network";
import { Observability } from "./components/observability";
import { functionRoleName } from "./components/nodeFunction";
import { appApiNames } from "./builders/appApiSettings";
import { OperatorAccess } from "./components/operatorAccess";
import { ProverPipeline } from "./components/proverPipeline";
import { WebHosting } from "./components/webHosting";
import { APP_ENVIRONMENT_NAMES, AppEnvironment } from "./builders/appEnvironment";
import { ProofVerifier, resolveVerifierLayer } from "./components/proofVerifier";
import { ProverImageRecord } from "./components/proverImageRecord";
import { bucketName, physicalName } from "./builders/names";
import { arn } from "./builders/policies/document";
import { verifierContractChoice } from "./builders/verifierContract";
import { loadStackSettings, secretConfig } from "./stacks/load";
import { assertDeployerAllowed } from "./stacks/deployer";
import { assertProviderRegion } from "./stacks/region";

async function main() {
    const settings = loadStackSettings();
    const identity = await aws.getCallerIdentity();
    assertDeployerAllowed(settings, identity);
    assertProviderRegion(settings, (await aws.getRegion()).region);
    // The verifier's layer artifact must exist before anything is registered.
    if (settings.verifier !== undefined) resolveVerifierLayer(settings.verifier.layer, "stark-ballot-simulator:verifier");
    const { partition } = await aws.getPartition();
    const awsContext = { partition, region: settings.region, accountId: settings.accountId };
    const env = settings.environment;
    // Suffix of every physical name: the environment for the committed stacks, the stack name for
    // a personal stack (builders/names.ts), so two stacks of one account share no name.
    const nameScope = settings.nameScope;
    const profile = settings.profile;

    const network = new Network("network", { environment: env, nameScope, region: settings.region, mode: settings.networkMode });

    // The finalize callback belongs to the app layer, which needs the pipeline's queue and state
    // machine; its name is deterministic, so the pipeline takes the ARN derived from it. The AppApi
    // creates the function under exactly that name; the stack exports the real function's ARN.
    const finalizeCallbackFunctionName = physicalName("finalize-callback", nameScope);
    const finalizeCallbackFunctionArn = arn.lambdaFunction(awsContext, finalizeCallbackFunctionName);

    const pipeline = new ProverPipeline("prover", {
        environment: env,
        nameScope,
        awsContext,
        proofPrefix: settings.proofPrefix,
        bundleBucketName: settings.proofBucketName ?? bucketName("proof-bundles", nameScope, settings.accountId),
        bundleExpirationDays: profile.proofBundleExpirationDays,
        bundleCorsOrigins: settings.bundleCorsOrigins,
        logRetentionDays: profile.logRetentionDays,
        protectStatefulResources: profile.protectStatefulResources,
        image: settings.proverImage,
        cpu: settings.proverTask.cpu,
        memory: settings.proverTask.memory,
        hostTimeoutSeconds: settings.proverTask.hostTimeoutSeconds,
        useFargateSpot: settings.proverTask.useFargateSpot,
        allowHighScanFindings: settings.allowHighScanFindings,
        taskSubnetIds: network.taskSubnetIds,
        taskSecurityGroupIds: [network.proverSecurityGroupId],
        assignPublicIp: network.assignPublicIp,
        finalizeCallbackFunctionArn,
        maxConcurrentProofs: settings.maxConcurrentProofs,
        // Only the api's role may queue proof work; its name is deterministic like the callback's.
        workQueueSenderRoleArns: [arn.iamRole(awsContext, functionRoleName(appApiNames.apiFunction(nameScope)))],
        // Same cycle as the callback: the verifier needs the pipeline's bucket, the state machine its ARN.
        verifyProofFunctionArn: settings.verifier === undefined ? undefined : arn.lambdaFunction(awsContext, physicalName("verifier-service-runner", nameScope)),
        verifierContract: verifierContractChoice(settings),
    });

    const imageRecord = new ProverImageRecord("prover-image-record", {
        nameScope,
        repositoryName: pipeline.repositoryName,
        imageDigest: pipeline.imageDigest,
        imageUri: pipeline.imageUri,
        zkvmImageId: settings.verifier?.imageId,
    });
    const verifier =
        settings.verifier === undefined
            ? undefined
            : new ProofVerifier("proof-verifier", {
                  nameScope,
                  awsContext,
                  layerPath: settings.verifier.layer,
                  architecture: settings.verifier.architecture,
                  bucketName: pipeline.bundleBucketName,
                  proofPrefix: pipeline.proofPrefix,
                  imageParameterName: imageRecord.parameterName,
                  imageParameterArn: imageRecord.parameterArn,
                  logRetentionDays: profile.logRetentionDays,
                  protectLogGroup: profile.protectStatefulResources,
                  applicationBuild:
                      settings.applicationBuilds?.verifierRunner === undefined
                          ? undefined
                          : { build: settings.applicationBuilds.verifierRunner, environment: env },
              });

    const data = new DataApi("data", {
        environment: env,
        nameScope,
        awsContext,
        logRetentionDays: profile.logRetentionDays,
        protectStatefulResources: profile.protectStatefulResources,
    });

    // Web hosting comes before the API: the API's CORS allows the site's origins, which come from
    // the Amplify app. The branch's variables are the stack's appEnvironment (below), which names
    // the API: a deferred output closes that loop without a cycle between resources.
    const hostedEnvironment = settings.hosting === undefined ? undefined : pulumi.deferredOutput<Record<string, string>>();
    const web =
        settings.hosting === undefined || hostedEnvironment === undefined
            ? undefined
            : new WebHosting("web", {
                  environment: env,
                  nameScope,
                  awsContext,
                  hosting: settings.hosting,
                  accessToken: secretConfig("hostingAccessToken"),
                  environmentVariableNames: APP_ENVIRONMENT_NAMES,
                  environmentVariables: hostedEnvironment[0],
                  logRetentionDays: profile.logRetentionDays,
                  protectStatefulResources: profile.protectStatefulResources,
              });

    const app = new AppApi("app", {
        environment: env,
        nameScope,
        awsContext,
        logRetentionDays: profile.logRetentionDays,
        protectStatefulResources: profile.protectStatefulResources,
        proofBucketName: pipeline.bundleBucketName,
        proofPrefix: pipeline.proofPrefix,
        workQueueUrl: pipeline.workQueueUrl,
        workQueueArn: pipeline.workQueueArn,
        workQueueMaxMessageBytes: pipeline.workQueueMaxMessageBytes,
        workQueueVisibilityTimeoutSeconds: pipeline.workQueueVisibilityTimeoutSeconds,
        stateMachineArn: pipeline.stateMachineArn,
        stateMachineName: pipeline.stateMachineName,
        finalizeCallbackFunctionName,
        apiCorsOrigins: settings.apiCorsOrigins,
        webOrigins: web?.webOrigins,
        apiThrottling: settings.apiThrottling,
        customDomain: settings.customDomain,
        dispatchConcurrency: settings.dispatchConcurrency,
        proofBudget: settings.proofBudget,
        dispatchReservedConcurrency: settings.dispatchReservedConcurrency,
        sessionCapabilityTtlSeconds: settings.sessionCapabilityTtlSeconds,
        allowReproving: settings.allowReproving,
        apiHandlerPath: settings.apiHandlerPath,
        applicationBuilds: settings.applicationBuilds,
        verifier: verifier === undefined || settings.verifier === undefined ? undefined : { functionName: verifier.functionName, functionArn: verifier.functionArn, imageId: settings.verifier.imageId },
        dataApi: { endpoint: data.graphqlEndpoint, apiId: data.apiId, callStatement: data.callStatement },
        proverImageRecord: { parameterName: imageRecord.parameterName, parameterArn: imageRecord.parameterArn },
        secrets: {
            sessionCapabilitySecret: secretConfig("sessionCapabilitySecret"),
            voteEncryptionKey: secretConfig("voteEncryptionKey"),
            captchaSecret: secretConfig("captchaSecret"),
        },
    });

    const observability = new Observability("observability", {
        environment: env,
        nameScope,
        awsContext,
        cloudTrail: profile.cloudTrail,
        protectStatefulResources: profile.protectStatefulResources,
        alarmEmails: settings.alarmEmails,
        workQueueName: pipeline.workQueueName,
        deadLetterQueueName: pipeline.deadLetterQueueName,
        stateMachineArn: pipeline.stateMachineArn,
        functionNames: {
            "check-image-signature": pipeline.checkImageSignatureFunctionName,
            "prover-dispatch": app.proverDispatchFunctionName,
            "finalize-callback": app.finalizeCallbackFunctionName,
            api: app.apiFunctionName,
            ...(verifier === undefined ? {} : { "verifier-service-runner": verifier.functionName }),
        },
        httpApiId: app.apiId,
        httpApiStage: app.apiStageName,
        proverLogGroupName: pipeline.proverLogGroupName,
    });

    const operators = new OperatorAccess("operators", {
        nameScope,
        partition,
        bundleBucketName: pipeline.bundleBucketName,
        proofPrefix: pipeline.proofPrefix,
    });

    // What a host of the application (or of its own api build) sets: the variables its code reads,
    // named as the api Lambda names them. Secret parameter names, never secret values. The one
    // source of the `appEnvironment` output and of the hosted branch's variables; typed by
    // APP_ENVIRONMENT_NAMES, which the branch's build writes to .env.production.
    const appEnvironment: AppEnvironment<pulumi.Input<string>> = {
        S3_PROOF_BUCKET: pipeline.bundleBucketName,
        S3_PROOF_PREFIX: pipeline.proofPrefix,
        PROVER_WORK_QUEUE_URL: pipeline.workQueueUrl,
        PROVER_WORK_QUEUE_ARN: pipeline.workQueueArn,
        PROVER_WORK_QUEUE_MAX_MESSAGE_BYTES: pipeline.workQueueMaxMessageBytes.apply(String),
        PROVER_STATE_MACHINE_ARN: pipeline.stateMachineArn,
        API_URL: app.apiUrl,
        SESSIONS_TABLE: app.sessionsTableName,
        RATE_LIMIT_TABLE: app.rateLimitTableName,
        RATE_LIMIT_KEY_TABLE: app.rateLimitKeyTableName,
        ...app.secretParameterNames,
        // The prover image record: where the application reads the zkVM image id the verifier checks.
        PROVER_IMAGE_PARAMETER: imageRecord.parameterName,
        // The application's data API, under the names its code reads.
        AMPLIFY_DATA_ENDPOINT: data.graphqlEndpoint,
        AMPLIFY_DATA_API_ID: data.apiId,
        AMPLIFY_DATA_REGION: settings.region,
        RATE_LIMIT_EVENTS_TABLE: app.rateLimitTableName,
        RATE_LIMIT_COUNTERS_TABLE: app.rateLimitKeyTableName,
    };

    if (hostedEnvironment !== undefined) hostedEnvironment[1](pulumi.output(appEnvironment).apply((vars): Record<string, string> => ({ ...vars })));

    return {
        environment: env,
        region: settings.region,
        proofBundleBucketName: pipeline.bundleBucketName,
        proofPrefix: pipeline.proofPrefix,
        proverWorkQueueUrl: pipeline.workQueueUrl,
        proverWorkQueueArn: pipeline.workQueueArn,
        proverStateMachineArn: pipeline.stateMachineArn,
        ecrRepositoryUrl: pipeline.repositoryUrl,
        proverImageUri: pipeline.imageUri,
        proverImageParameterName: imageRecord.parameterName,
        ...(verifier === undefined ? {} : { verifierFunctionName: verifier.functionName }),
        apiUrl: app.apiUrl,
        sessionsTableName: app.sessionsTableName,
        finalizeCallbackFunctionArn: app.finalizeCallbackFunctionArn,
        alarmTopicArn: observability.alarmTopicArn,
        dataApiGraphqlEndpoint: data.graphqlEndpoint,
        dataApiId: data.apiId,
        dataApiRegion: settings.region,
        appEnvironment,
        operatorPolicyArn: operators.policyArn,
        ...(web === undefined ? {} : { webUrl: web.webUrl, webAppId: web.appId }),
        // The web custom domain's records (subdomain target and certificate validation) to create in its zone.
        ...(web?.customDomainTarget === undefined ? {} : { webCustomDomainTarget: web.customDomainTarget }),
        // The custom domain's DNS record (CNAME or alias) must point here; the program does not own the zone.
        ...(app.customDomainTarget === undefined ? {} : { apiCustomDomainTarget: app.customDomainTarget }),
    };
}

export = main();
