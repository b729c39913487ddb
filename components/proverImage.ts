import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { ProverImageSource } from "../stacks/config";
import { AwsContext, arn } from "../builders/policies/document";
import { PROJECT_ROOT } from "./lambdaCode";

/** A prover image reference that is always pinned by digest. */
export interface PinnedImage {
    /** `<registry>/<repo>@sha256:<hex>`: what the task definition runs and the gate checks. */
    uri: pulumi.Output<string>;
    /** Account of the registry that holds the image: what the gate names when it asks ECR. */
    registryId: pulumi.Output<string>;
    repositoryName: pulumi.Output<string>;
    repositoryArn: pulumi.Output<string>;
    digest: pulumi.Output<string>;
}

/** Splits `<registry>/<repo>@sha256:<hex>` into its parts; rejects anything not pinned by digest. */
export function splitDigestReference(reference: string): { repository: string; digest: string } {
    const match = /^(.+)@(sha256:[0-9a-f]{64})$/.exec(reference);
    if (!match) throw new Error(`image reference ${reference} is not pinned by a sha256 digest`);
    return { repository: match[1], digest: match[2] };
}

/**
 * The prover image: a configured prebuilt digest, or built from the Docker context and pushed to the
 * stack's repository. The build never runs during preview (`buildOnPreview: false`): a preview
 * shows the image as changing when the context does, and the push happens on `up`.
 */
export function proverImage(
    name: string,
    source: ProverImageSource,
    repository: aws.ecr.Repository,
    awsContext: pulumi.Output<AwsContext>,
    parent: pulumi.Resource,
): PinnedImage {
    if (source.kind === "prebuilt") {
        const ctx = awsContext.apply((c) => ({ ...c, accountId: source.registryAccountId, region: source.registryRegion }));
        return {
            uri: pulumi.output(source.uri),
            registryId: pulumi.output(source.registryAccountId),
            repositoryName: pulumi.output(source.repositoryName),
            repositoryArn: ctx.apply((c) => arn.ecrRepository(c, source.repositoryName)),
            digest: pulumi.output(source.digest),
        };
    }

    const credentials = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent });
    const image = new docker.Image(
        `${name}-image`,
        {
            imageName: pulumi.interpolate`${repository.repositoryUrl}:prover`,
            build: {
                context: path.resolve(PROJECT_ROOT, source.context),
                dockerfile: path.resolve(PROJECT_ROOT, source.dockerfile),
                platform: source.platform,
                args: { ...source.buildArgs },
            },
            registry: {
                server: repository.repositoryUrl,
                username: credentials.userName,
                password: pulumi.secret(credentials.password),
            },
            buildOnPreview: false,
        },
        { parent },
    );
    const digestRef = image.repoDigest.apply(splitDigestReference);
    return {
        uri: pulumi.interpolate`${repository.repositoryUrl}@${digestRef.digest}`,
        registryId: repository.registryId,
        repositoryName: repository.name,
        repositoryArn: repository.arn,
        digest: digestRef.digest,
    };
}
