import { LAMBDA_ENV } from "../shared/contracts";
import { checkProofPrefix, readEnv } from "../shared/env";

export interface DispatchConfig {
    stateMachineArn: string;
    bucket: string;
    proofPrefix: string;
    sessionsTable: string;
}

const STATE_MACHINE_ARN_PATTERN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;

export function loadDispatchConfig(env: NodeJS.ProcessEnv = process.env): DispatchConfig {
    const values = readEnv(LAMBDA_ENV.proverDispatch, env, { allowEmpty: ["S3_PROOF_PREFIX"] });
    if (!STATE_MACHINE_ARN_PATTERN.test(values.STATE_MACHINE_ARN)) {
        throw new Error(`STATE_MACHINE_ARN must be a state machine ARN, got ${JSON.stringify(values.STATE_MACHINE_ARN)}`);
    }
    return {
        stateMachineArn: values.STATE_MACHINE_ARN,
        bucket: values.S3_PROOF_BUCKET,
        proofPrefix: checkProofPrefix(values.S3_PROOF_PREFIX),
        sessionsTable: values.SESSIONS_TABLE,
    };
}

/**
 * The ARN Step Functions gives an execution named `executionName` of this state machine, needed when
 * `StartExecution` answers `ExecutionAlreadyExists` and so returns no ARN.
 * `arn:<p>:states:<r>:<a>:stateMachine:<sm>` → `arn:<p>:states:<r>:<a>:execution:<sm>:<name>`.
 */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
    if (!STATE_MACHINE_ARN_PATTERN.test(stateMachineArn)) {
        throw new Error(`not a state machine ARN: ${stateMachineArn}`);
    }
    return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${executionName}`;
}
