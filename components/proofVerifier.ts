import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../builders/names";
import { ApplicationBuild, verifierApplicationEnvironment, verifierApplicationStatements } from "../builders/applicationBuilds";
import { AwsContext, policyDocument } from "../builders/policies/document";
import { logRetentionProblem, nonEmptyProblem, problemsOf, throwIfInvalidArgs } from "../builders/componentArgs";
import { VERIFIER_ARCHITECTURES, VERIFIER_FUNCTION_DEFAULTS, VerifierArchitecture, verifierRunnerPolicy } from "../builders/verifierSettings";
import { applicationArchive, resolveApplicationBuild } from "./applicationCode";
import { LAMBDA_RUNTIME, PROJECT_ROOT } from "./lambdaCode";
import { NodeFunction } from "./nodeFunction";

export interface ProofVerifierArgs {
    /** Suffix of every physical name (the stack's name scope). Required. */
    nameScope: string;
    /** Partition, region and account of the stack. Required. */
    awsContext: pulumi.Input<AwsContext>;
    /** The layer artifact (config `verifier.layer`): a directory or `.zip` holding `bin/verifier-service`. Required. */
    layerPath: string;
    /** The binary's architecture; the layer and the function declare the same. Required. */
    architecture: VerifierArchitecture;
    /** The proof bundle bucket. Required. */
    bucketName: pulumi.Input<string>;
    /** The proof prefix: empty or ending in `/`. Required. */
    proofPrefix: string;
    /** The prover image record (SSM parameter) holding the expected image id. Required. */
    imageParameterName: pulumi.Input<string>;
    imageParameterArn: pulumi.Input<string>;
    /** Retention of the function's log group. Required. */
    logRetentionDays: number;
    /** `protect` the log group. Default: false. */
    protectLogGroup?: boolean;
    /**
     * The application's own verifier-service-runner build (config `applicationBuilds.verifierRunner`),
     * run behind the secrets wrapper instead of lambdas/verifier-runner; the wrapper reads the image id
     * from the prover image record. Default: none (the reference runner).
     */
    applicationBuild?: { build: ApplicationBuild; environment: string };
}

/**
 * Checks the layer artifact before anything is registered (the program calls it right after loading
 * the settings): a directory must hold an executable `bin/verifier-service`; a `.zip` must exist.
 * Returns the absolute path; throws naming the config key and the rule.
 */
export function resolveVerifierLayer(layer: string, configKey: string): string {
    const resolved = path.resolve(PROJECT_ROOT, layer);
    if (!fs.existsSync(resolved)) throw new Error(`${configKey}.layer: ${layer} does not exist (resolved to ${resolved})`);
    const stat = fs.statSync(resolved);
    if (stat.isDirectory()) {
        const bin = path.join(resolved, "bin", "verifier-service");
        if (!fs.existsSync(bin) || !fs.statSync(bin).isFile()) {
            throw new Error(`${configKey}.layer: ${layer} must hold bin/verifier-service (Lambda extracts it to /opt/bin/verifier-service)`);
        }
        if ((fs.statSync(bin).mode & 0o111) === 0) throw new Error(`${configKey}.layer: ${layer}/bin/verifier-service must be executable`);
        return resolved;
    }
    if (stat.isFile() && resolved.endsWith(".zip")) return resolved;
    throw new Error(`${configKey}.layer: ${layer} must be a directory or a .zip file`);
}

/** Every problem with the arguments at once, each naming the argument and the rule. */
export function validateProofVerifierArgs(args: ProofVerifierArgs): string[] {
    let buildProblem: string | undefined;
    if (args.applicationBuild !== undefined) {
        try {
            resolveApplicationBuild(args.applicationBuild.build, "applicationBuilds.verifierRunner");
        } catch (e) {
            buildProblem = `applicationBuild: ${(e as Error).message}`;
        }
    }
    return problemsOf(
        nonEmptyProblem("nameScope", args.nameScope),
        (VERIFIER_ARCHITECTURES as readonly string[]).includes(args.architecture) ? undefined : `architecture: "${args.architecture}" must be one of ${VERIFIER_ARCHITECTURES.join(", ")}`,
        logRetentionProblem("logRetentionDays", args.logRetentionDays),
        buildProblem,
    );
}

/**
 * The verifier-service-runner: the native verifier as a Lambda layer, and the function the state
 * machine's VerifyProof state invokes after every proof (lambdas/verifier-runner). It reads bundles
 * and writes reports under the proof prefix only, and reads the expected image id from the prover
 * image record. Idle cost: none (a layer version and a function are billed per use; the log group
 * per GB stored).
 */
export class ProofVerifier extends pulumi.ComponentResource {
    readonly functionName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    readonly layerArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: ProofVerifierArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super: a bad argument or a missing build fails before anything is registered.
        throwIfInvalidArgs("ProofVerifier", name, validateProofVerifierArgs(args));
        super("stark:prover:ProofVerifier", name, {}, opts);
        const scope = args.nameScope;
        const layer = new aws.lambda.LayerVersion(
            `${name}-layer`,
            {
                layerName: physicalName("verifier-service", scope),
                description: "Native verifier-service binary (bin/verifier-service, extracted to /opt/bin)",
                // A directory or a .zip, shipped as a file archive: the state keeps a hash, not the binary.
                code: new pulumi.asset.FileArchive(args.layerPath),
                compatibleRuntimes: [LAMBDA_RUNTIME],
                // https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html (CompatibleArchitectures)
                compatibleArchitectures: [args.architecture],
            },
            { parent: this },
        );
        const app = args.applicationBuild;
        const fn = new NodeFunction(
            `${name}-runner`,
            {
                functionName: physicalName("verifier-service-runner", scope),
                ...(app === undefined ? { entry: "lambdas/verifier-runner/index.ts" } : { code: applicationArchive(app.build, "applicationBuilds.verifierRunner") }),
                description: "Verifies each published proof bundle against the recorded zkVM image id",
                timeoutSeconds: VERIFIER_FUNCTION_DEFAULTS.timeoutSeconds,
                memorySize: VERIFIER_FUNCTION_DEFAULTS.memoryMb,
                environment:
                    app === undefined
                        ? {
                              S3_PROOF_BUCKET: args.bucketName,
                              S3_PROOF_PREFIX: args.proofPrefix,
                              PROVER_IMAGE_PARAMETER: args.imageParameterName,
                          }
                        : pulumi
                              .output({ bucket: args.bucketName, parameter: args.imageParameterName })
                              .apply(({ bucket, parameter }) =>
                                  verifierApplicationEnvironment(app.build, { environment: app.environment, proofBucketName: bucket, proofPrefix: args.proofPrefix, proverImageParameter: parameter }),
                              ),
                logRetentionDays: args.logRetentionDays,
                protectLogGroup: args.protectLogGroup,
                awsContext: args.awsContext,
                layers: [layer.arn],
                architecture: args.architecture,
                policy:
                    app === undefined
                        ? pulumi
                              .output({ ctx: args.awsContext, bucket: args.bucketName, parameterArn: args.imageParameterArn })
                              .apply(({ ctx, bucket, parameterArn }) => verifierRunnerPolicy(ctx, bucket, args.proofPrefix, parameterArn))
                        : pulumi
                              .output({ ctx: args.awsContext, bucket: args.bucketName, parameterArn: args.imageParameterArn })
                              .apply(({ ctx, bucket, parameterArn }) => policyDocument(...verifierApplicationStatements(ctx, bucket, args.proofPrefix, parameterArn))),
            },
            { parent: this },
        );
        this.functionName = fn.functionName;
        this.functionArn = fn.functionArn;
        this.layerArn = layer.arn;
        this.logGroupName = fn.logGroupName;
        this.registerOutputs({ functionName: this.functionName, functionArn: this.functionArn, layerArn: this.layerArn, logGroupName: this.logGroupName });
    }
}
