/**
 * Operator access: a customer managed IAM policy that people and tools managing verification
 * bundles attach to their role or group (the stack attaches it to no one).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nonEmptyProblem, problemsOf, throwIfInvalidArgs } from "../builders/componentArgs";
import { physicalName } from "../builders/names";
import { bundleOperatorPolicy } from "../builders/policies/operator";

export interface OperatorAccessArgs {
    /** Suffix of the policy's physical name (builders/names.ts). Required. */
    nameScope: string;
    /** AWS partition. Required. */
    partition: string;
    /** The proof bundle bucket (ProverPipeline). Required. */
    bundleBucketName: pulumi.Input<string>;
    /** Key prefix of proof inputs, bundles and reports. Required. */
    proofPrefix: string;
}

/** Every problem with the arguments at once, each naming the argument and the rule. */
export function validateOperatorAccessArgs(args: OperatorAccessArgs): string[] {
    return problemsOf(nonEmptyProblem("nameScope", args.nameScope), nonEmptyProblem("partition", args.partition));
}

export class OperatorAccess extends pulumi.ComponentResource {
    readonly policyArn: pulumi.Output<string>;
    readonly policyName: pulumi.Output<string>;

    constructor(name: string, args: OperatorAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super: a bad argument must fail before this component or any child is registered.
        throwIfInvalidArgs("OperatorAccess", name, validateOperatorAccessArgs(args));
        super("stark:operators:OperatorAccess", name, {}, opts);
        const policy = new aws.iam.Policy(
            `${name}-bundle-operators`,
            {
                name: physicalName("bundle-operators", args.nameScope),
                description: `Read and write proof bundles and verification reports under s3://<bundle bucket>/${args.proofPrefix} (${args.nameScope})`,
                policy: pulumi.output(args.bundleBucketName).apply((bucket) => JSON.stringify(bundleOperatorPolicy({ partition: args.partition }, bucket, args.proofPrefix))),
            },
            { parent: this },
        );
        this.policyArn = policy.arn;
        this.policyName = policy.name;
        this.registerOutputs({ policyArn: this.policyArn, policyName: this.policyName });
    }
}
