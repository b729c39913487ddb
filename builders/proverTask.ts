/**
 * The prover task's container definition (SPEC §4, hardened per the prover container issue):
 * read-only root filesystem with one scratch volume, a runner that keeps only the capabilities it
 * needs to run the zkVM host as a non-root user, logs to the pre-created group.
 */
import { PROVER_CONTAINER_NAME, PROVER_HOST_USER, PROVER_RUNNER_USER, PROVER_SCRATCH_DIR } from "../lambdas/shared/contracts";
import { DIGEST_REFERENCE } from "../lambdas/shared/rules";
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

/**
 * What the root runner keeps of Docker's default capabilities: CHOWN (hand the host its scratch
 * directories), SETUID and SETGID (start the host as PROVER_HOST_USER), KILL (signal the host's
 * process group, another uid, on timeout or stop). Everything else Docker grants by default is
 * dropped; Fargate cannot add capabilities back (only SYS_PTRACE), so `drop: ["ALL"]` plus `add` is
 * not possible there and the defaults are dropped by name.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html
 * https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities (the default set)
 */
export const RUNNER_KEPT_CAPABILITIES = ["CHOWN", "KILL", "SETGID", "SETUID"] as const;
export const RUNNER_DROPPED_CAPABILITIES = [
    "AUDIT_WRITE",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETPCAP",
    "SYS_CHROOT",
] as const;

export function proverContainerDefinitions(a: ProverContainerArgs) {
    if (!DIGEST_REFERENCE.test(a.imageUri)) {
        throw new Error(`prover image ${a.imageUri} must be pinned by digest: ECR signing status is per digest`);
    }
    return [
        {
            name: PROVER_CONTAINER_NAME,
            image: a.imageUri,
            essential: true,
            // Root only to start the zkVM host as another user (credential isolation, prover/README.md);
            // the runner keeps four capabilities and the host none.
            user: PROVER_RUNNER_USER,
            linuxParameters: { capabilities: { drop: [...RUNNER_DROPPED_CAPABILITIES] } },
            readonlyRootFilesystem: true,
            mountPoints: [{ sourceVolume: PIPELINE_DEFAULTS.scratchVolumeName, containerPath: PROVER_SCRATCH_DIR, readOnly: false }],
            environment: [
                { name: "ENV_NAME", value: a.environment },
                { name: "S3_PROOF_BUCKET", value: a.bucketName },
                { name: "S3_PROOF_PREFIX", value: a.proofPrefix },
                { name: "ZKVM_TIMEOUT_SECONDS", value: String(a.hostTimeoutSeconds) },
                { name: "SCRATCH_DIR", value: PROVER_SCRATCH_DIR },
                { name: "ZKVM_HOST_USER", value: PROVER_HOST_USER },
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
