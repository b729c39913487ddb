import { LAMBDA_ENV } from "../shared/contracts";
import { checkProofPrefix, checkStateMachineArn, readEnv } from "../shared/env";
import { STATE_MACHINE_ARN } from "../shared/rules";

export interface DispatchConfig {
    stateMachineArn: string;
    bucket: string;
    proofPrefix: string;
    sessionsTable: string;
}

export function loadDispatchConfig(env: NodeJS.ProcessEnv = process.env): DispatchConfig {
    const values = readEnv(LAMBDA_ENV.proverDispatch, env, { allowEmpty: ["S3_PROOF_PREFIX"] });
    checkStateMachineArn(values.STATE_MACHINE_ARN);
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
    if (!STATE_MACHINE_ARN.test(stateMachineArn)) {
        throw new Error(`not a state machine ARN: ${stateMachineArn}`);
    }
    return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${executionName}`;
}
