/**
 * The stack's record of the prover image the task definition pins, kept in one SSM parameter
 * (`proverImageParameterName`): repository, digest, digest-pinned URI and the zkVM image id the
 * verifier expects. The verifier-service-runner reads the expected image id from here, and so can the
 * application (`PROVER_IMAGE_PARAMETER` in `appEnvironment`): one place, written by the deploy.
 *
 * When it was recorded is the parameter's own `LastModifiedDate` (GetParameter returns it): the value
 * changes only when the image or the image id does, so an unchanged deploy rewrites nothing and the
 * date stays the time this image was recorded.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Parameter.html
 */
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { SHA256_DIGEST, SHA256_DIGEST_RULE, ZKVM_IMAGE_ID } from "./rules";
import { isPlainObject } from "./validation";

export interface ProverImageRecord {
    /** ECR repository name. */
    repository: string;
    /** `sha256:<64 hex>`, the digest the task definition pins. */
    digest: string;
    /** `<registry>/<repository>@sha256:<64 hex>`. */
    imageUri: string;
    /** The zkVM guest image id proofs must carry (64 lower-case hex), or null when the stack verifies nothing. */
    zkvmImageId: string | null;
}


/** The parameter value: canonical JSON with the keys in this order (so an unchanged record is byte-identical). */
export function formatProverImageRecord(record: ProverImageRecord): string {
    return JSON.stringify({ repository: record.repository, digest: record.digest, imageUri: record.imageUri, zkvmImageId: record.zkvmImageId });
}

export function parseProverImageRecord(text: string): ProverImageRecord {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw new Error("prover image record is not JSON");
    }
    const problems: string[] = [];
    if (!isPlainObject(value)) throw new Error("prover image record must be a JSON object");
    if (typeof value.repository !== "string" || value.repository === "") problems.push("repository must be a non-empty string");
    if (typeof value.digest !== "string" || !SHA256_DIGEST.test(value.digest)) problems.push(`digest must be ${SHA256_DIGEST_RULE}`);
    if (typeof value.imageUri !== "string" || !value.imageUri.endsWith(`@${String(value.digest)}`)) problems.push("imageUri must be pinned to the digest");
    if (value.zkvmImageId !== null && (typeof value.zkvmImageId !== "string" || !ZKVM_IMAGE_ID.test(value.zkvmImageId))) {
        problems.push("zkvmImageId must be 64 lower-case hex or null");
    }
    if (problems.length > 0) throw new Error(`prover image record is invalid: ${problems.join("; ")}`);
    return {
        repository: value.repository as string,
        digest: value.digest as string,
        imageUri: value.imageUri as string,
        zkvmImageId: value.zkvmImageId as string | null,
    };
}

/** Reads and checks the record; `recordedAt` is the parameter's LastModifiedDate. */
export async function readProverImageRecord(ssm: SSMClient, parameterName: string): Promise<ProverImageRecord & { recordedAt?: string }> {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: parameterName }));
    if (Parameter?.Value === undefined) throw new Error(`SSM parameter ${parameterName} has no value`);
    const record = parseProverImageRecord(Parameter.Value);
    return Parameter.LastModifiedDate === undefined ? record : { ...record, recordedAt: Parameter.LastModifiedDate.toISOString() };
}
