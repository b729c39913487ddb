/**
 * The prover task's container definition (SPEC §4, hardened per the prover container issue):
 * read-only root filesystem with one scratch volume, a non-root user, logs to the pre-created group.
 */
import { PROVER_CONTAINER_NAME, PROVER_SCRATCH_DIR, PROVER_USER } from "../lambdas/shared/contracts";
import { PIPELINE_DEFAULTS } from "./proverPipelineSettings";

export interface ProverContainerArgs {
    /** Digest-pinned image reference. */
    imageUri: string;
    environment: string;
    bucketName: string;
    proofPrefix: string;
    hostTimeoutSeconds: number;
    logGroupName: string;
    region: string;
}

export function proverContainerDefinitions(a: ProverContainerArgs) {
    if (!/@sha256:[0-9a-f]{64}$/.test(a.imageUri)) {
        throw new Error(`prover image ${a.imageUri} must be pinned by digest: ECR signing status is per digest`);
    }
    return [
        {
            name: PROVER_CONTAINER_NAME,
            image: a.imageUri,
            essential: true,
            user: PROVER_USER,
            readonlyRootFilesystem: true,
            mountPoints: [{ sourceVolume: PIPELINE_DEFAULTS.scratchVolumeName, containerPath: PROVER_SCRATCH_DIR, readOnly: false }],
            environment: [
                { name: "ENV_NAME", value: a.environment },
                { name: "S3_PROOF_BUCKET", value: a.bucketName },
                { name: "S3_PROOF_PREFIX", value: a.proofPrefix },
                { name: "ZKVM_TIMEOUT_SECONDS", value: String(a.hostTimeoutSeconds) },
                { name: "SCRATCH_DIR", value: PROVER_SCRATCH_DIR },
            ],
            logConfiguration: {
                logDriver: "awslogs",
                options: {
                    "awslogs-group": a.logGroupName,
                    "awslogs-region": a.region,
                    "awslogs-stream-prefix": "prover",
                },
            },
        },
    ];
}
