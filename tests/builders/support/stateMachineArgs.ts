/** The develop prover state machine's arguments, shared by the builder's tests (each overrides what it varies). */
import type { ProverStateMachineArgs } from "../../../builders/proverStateMachine";

export const DIGEST = `sha256:${"ab".repeat(32)}`;

export const DEVELOP_STATE_MACHINE_ARGS: Readonly<ProverStateMachineArgs> = Object.freeze({
    partition: "aws",
    checkImageSignatureFunctionArn: "arn:aws:lambda:ap-northeast-1:123456789012:function:stark-ballot-simulator-check-image-signature-develop",
    finalizeCallbackFunctionArn: "arn:aws:lambda:ap-northeast-1:123456789012:function:stark-ballot-simulator-finalize-callback-develop",
    clusterArn: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/stark-ballot-simulator-prover-develop",
    taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/stark-ballot-simulator-prover-develop:7",
    subnetIds: ["subnet-0a1", "subnet-0b2"],
    securityGroupIds: ["sg-0c3"],
    assignPublicIp: true,
    useFargateSpot: false,
    registryId: "123456789012",
    repositoryName: "stark-ballot-simulator-prover-develop",
    imageDigest: DIGEST,
    environment: "develop",
    proofBucketName: "stark-ballot-simulator-proofs-develop-123456789012",
    proofPrefix: "sessions/",
    runProverTimeoutSeconds: 1500,
    allowHighScanFindings: false,
    proofSlotsTableName: "stark-ballot-simulator-proof-slots-develop",
    maxConcurrentProofs: 2,
});
