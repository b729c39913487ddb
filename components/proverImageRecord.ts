import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nonEmptyProblem, problemsOf, throwIfInvalidArgs } from "../builders/componentArgs";
import { proverImageParameterName } from "../builders/verifierSettings";
import { formatProverImageRecord } from "../lambdas/shared/proverImageRecord";

export interface ProverImageRecordArgs {
    /** Suffix of the parameter name (the stack's name scope). Required. */
    nameScope: string;
    /** ECR repository of the prover image. Required. */
    repositoryName: pulumi.Input<string>;
    /** `sha256:<64 hex>` the task definition pins. Required. */
    imageDigest: pulumi.Input<string>;
    /** The digest-pinned image URI. Required. */
    imageUri: pulumi.Input<string>;
    /** The zkVM image id the verifier expects (config `verifier.imageId`); absent = null in the record. Default: none. */
    zkvmImageId?: string;
}

/** Every problem with the arguments at once, each naming the argument and the rule. */
export function validateProverImageRecordArgs(args: ProverImageRecordArgs): string[] {
    return problemsOf(nonEmptyProblem("nameScope", args.nameScope));
}

/**
 * One SSM String parameter per stack, `/stark-ballot-simulator/<scope>/prover-image`, recording the
 * prover image the task definition pins and the zkVM image id proofs must carry (JSON, see
 * lambdas/shared/proverImageRecord.ts). The verifier reads the expected image id from it, and the
 * application can (`PROVER_IMAGE_PARAMETER`): one place, written by the deploy that pins the image.
 * When it was recorded is the parameter's LastModifiedDate, which changes only with the value.
 * Standard tier (no charge): https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
 */
export class ProverImageRecord extends pulumi.ComponentResource {
    readonly parameterName: pulumi.Output<string>;
    readonly parameterArn: pulumi.Output<string>;

    constructor(name: string, args: ProverImageRecordArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super: a bad argument must fail before this component or any child is registered.
        throwIfInvalidArgs("ProverImageRecord", name, validateProverImageRecordArgs(args));
        super("stark:prover:ProverImageRecord", name, {}, opts);
        const parameter = new aws.ssm.Parameter(
            `${name}-parameter`,
            {
                name: proverImageParameterName(args.nameScope),
                description: `Prover image the task definition of ${args.nameScope} pins, and the zkVM image id proofs must carry`,
                type: "String",
                tier: "Standard",
                // Public facts about the image, so `insecureValue` (shown in previews; `value` is always
                // treated as sensitive). The built image's outputs arrive marked secret only because the
                // registry login that pushed it is, so the mark is dropped. Not valid with SecureString:
                // https://www.pulumi.com/registry/packages/aws/api-docs/ssm/parameter/#insecurevalue_nodejs
                insecureValue: pulumi.unsecret(
                    pulumi
                        .output({ repository: args.repositoryName, digest: args.imageDigest, imageUri: args.imageUri })
                        .apply(({ repository, digest, imageUri }) => formatProverImageRecord({ repository, digest, imageUri, zkvmImageId: args.zkvmImageId ?? null })),
                ),
            },
            { parent: this },
        );
        this.parameterName = parameter.name;
        this.parameterArn = parameter.arn;
        this.registerOutputs({ parameterName: this.parameterName, parameterArn: this.parameterArn });
    }
}
