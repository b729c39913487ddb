/** The develop-like state machine arguments with a verifier, and the parts of VerifyProof both verifier contracts share. */
import type { ProverStateMachineArgs } from "../../../builders/proverStateMachine";

export const VERIFIER_ARN = "arn:aws:lambda:ap-northeast-1:123456789012:function:stark-ballot-simulator-verifier-service-runner-develop";

/** Without a verifier (BASE) and with one (VERIFYING_ARGS, the reference contract by default). */
export const BASE: ProverStateMachineArgs = {
    partition: "aws",
    checkImageSignatureFunctionArn: "arn:aws:lambda:ap-northeast-1:123456789012:function:stark-ballot-simulator-check-image-signature-develop",
    finalizeCallbackFunctionArn: "arn:aws:lambda:ap-northeast-1:123456789012:function:stark-ballot-simulator-finalize-callback-develop",
    clusterArn: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/stark-ballot-simulator-prover-develop",
    taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/stark-ballot-simulator-prover-develop:7",
    subnetIds: ["subnet-0a1"],
    securityGroupIds: ["sg-0c3"],
    assignPublicIp: true,
    useFargateSpot: false,
    repositoryName: "stark-ballot-simulator-prover-develop",
    imageDigest: `sha256:${"ab".repeat(32)}`,
    environment: "develop",
    proofBucketName: "stark-ballot-simulator-proofs-develop-123456789012",
    proofPrefix: "sessions/",
    runProverTimeoutSeconds: 1500,
    registryId: "123456789012",
    allowHighScanFindings: false,
    proofSlotsTableName: "stark-ballot-simulator-proof-slots-develop",
    maxConcurrentProofs: 2,
};
export const VERIFYING_ARGS: ProverStateMachineArgs = { ...BASE, verifyProofFunctionArn: VERIFIER_ARN };

/** The Lambda service retrier every `lambda:invoke` state has. */
export const SERVICE_RETRY = {
    ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
    IntervalSeconds: 1,
    MaxAttempts: 3,
    BackoffRate: 2,
    JitterStrategy: "FULL",
};

/** VerifyProof's catchers: every error, after its retries, goes through the slot release to FinalizeFailed. */
export const VERIFY_CATCH = [
    { ErrorEquals: ["States.DataLimitExceeded"], ResultPath: "$.proverError", Next: "ReleaseProofSlotAfterFailure" },
    { ErrorEquals: ["States.ALL"], ResultPath: "$.proverError", Next: "ReleaseProofSlotAfterFailure" },
];

/** RunProver's answer in these tests: the stopped task. */
export const STOPPED_TASK = { TaskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/prover/0123", LastStatus: "STOPPED", Containers: [{ Name: "prover", ExitCode: 0 }] };
