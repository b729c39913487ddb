import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_NAME } from "../builders/names";

/** AWS Signer's platform for container images signed with Notation (what ECR managed signing uses). */
export const SIGNING_PLATFORM = "Notation-OCI-SHA384-ECDSA";
/**
 * Profile names allow letters, digits and `_` only (2-64):
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-signer-signingprofile.html
 */
export const SIGNING_PROFILE_NAME = `${PROJECT_NAME.replace(/-/g, "_")}_prover`;
/**
 * 24 months. The default (and maximum) is 135 months; a signature that outlives every image the
 * repositories keep (10 per environment, rebuilt on each deploy) only widens the window in which a
 * leaked, older image still verifies. https://docs.aws.amazon.com/signer/latest/developerguide/cli-profile.html
 */
export const SIGNATURE_VALIDITY = { value: 24, type: "MONTHS" } as const;
/** The app stacks' prover repositories, `stark-ballot-simulator-prover-<environment>`. */
export const SIGNED_REPOSITORY_FILTER = `${PROJECT_NAME}-prover-*`;

export interface ImageSigningArgs {}

/**
 * The Signer profile and the registry's signing configuration: every image pushed to a prover
 * repository of either environment is signed on push with the pusher's identity.
 * The signing configuration is a registry-wide singleton (one per account and region), which is why
 * it lives here and never in an app stack: two app stacks would overwrite each other's rule.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecr-signingconfiguration-rule.html
 */
export class ImageSigning extends pulumi.ComponentResource {
    readonly signingProfileArn: pulumi.Output<string>;
    readonly registryId: pulumi.Output<string>;

    constructor(name: string, _args: ImageSigningArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("stark:bootstrap:ImageSigning", name, {}, opts);
        const profile = new aws.signer.SigningProfile(
            `${name}-profile`,
            { name: SIGNING_PROFILE_NAME, platformId: SIGNING_PLATFORM, signatureValidityPeriod: { ...SIGNATURE_VALIDITY } },
            // Cancelling a profile cannot be undone and a new one gets a new ARN: keep it.
            { parent: this, protect: true },
        );
        const configuration = new awsNative.ecr.SigningConfiguration(
            `${name}-registry-signing`,
            {
                rules: [
                    {
                        signingProfileArn: profile.arn,
                        repositoryFilters: [{ filter: SIGNED_REPOSITORY_FILTER, filterType: awsNative.types.enums.ecr.SigningConfigurationFilterType.WildcardMatch }],
                    },
                ],
            },
            { parent: this },
        );
        this.signingProfileArn = profile.arn;
        this.registryId = configuration.registryId;
        this.registerOutputs({ signingProfileArn: this.signingProfileArn, registryId: this.registryId });
    }
}
