/**
 * Composition root: stack settings -> components -> stack outputs. Nothing else happens here.
 *
 * The program is an async function whose promise is the module's export: the Pulumi runtime awaits
 * it, so the configuration and the deploying identity are checked before any resource is registered.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Network } from "./components/network";
import { ProverPipeline } from "./components/proverPipeline";
import { bucketName, physicalName } from "./builders/names";
import { arn } from "./builders/policies/document";
import { loadStackSettings } from "./stacks/load";
import { assertDeployerAllowed } from "./stacks/deployer";

async function main() {
    const settings = loadStackSettings();
    const identity = await aws.getCallerIdentity();
    assertDeployerAllowed(settings, identity);
    const { partition } = await aws.getPartition();
    const awsContext = { partition, region: settings.region, accountId: settings.accountId };
    const env = settings.environment;
    const profile = settings.profile;

    const network = new Network("network", { environment: env, region: settings.region, mode: settings.networkMode });

    // The finalize callback belongs to the app layer, which needs the pipeline's queue and state
    // machine; its name is deterministic, so the pipeline takes the ARN derived from it.
    const finalizeCallbackFunctionName = physicalName("finalize-callback", env);
    const finalizeCallbackFunctionArn = arn.lambdaFunction(awsContext, finalizeCallbackFunctionName);

    const pipeline = new ProverPipeline("prover", {
        environment: env,
        awsContext,
        proofPrefix: settings.proofPrefix,
        bundleBucketName: settings.proofBucketName ?? bucketName("proof-bundles", env, settings.accountId),
        bundleExpirationDays: profile.proofBundleExpirationDays,
        bundleCorsOrigins: settings.bundleCorsOrigins,
        logRetentionDays: profile.logRetentionDays,
        protectStatefulResources: profile.protectStatefulResources,
        image: settings.proverImage,
        cpu: settings.proverTask.cpu,
        memory: settings.proverTask.memory,
        hostTimeoutSeconds: settings.proverTask.hostTimeoutSeconds,
        useFargateSpot: settings.proverTask.useFargateSpot,
        taskSubnetIds: network.taskSubnetIds,
        taskSecurityGroupIds: [network.proverSecurityGroupId],
        assignPublicIp: network.assignPublicIp,
        finalizeCallbackFunctionArn,
    });

    const appEnvironment = {
        S3_PROOF_BUCKET: pipeline.bundleBucketName,
        S3_PROOF_PREFIX: pipeline.proofPrefix,
        PROVER_WORK_QUEUE_URL: pipeline.workQueueUrl,
        PROVER_WORK_QUEUE_ARN: pipeline.workQueueArn,
        PROVER_STATE_MACHINE_ARN: pipeline.stateMachineArn,
    };

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
        finalizeCallbackFunctionArn: pulumi.output(finalizeCallbackFunctionArn),
        appEnvironment,
    };
}

export = main();
