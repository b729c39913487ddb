/**
 * Account bootstrap (Pulumi project stark-ballot-simulator-bootstrap), one stack per AWS account, run
 * once before the develop and main app stacks: the registry-wide image signing and the CI identities.
 * Composition only; the pieces live in ImageSigning, CiIdentities and the pure policies module.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BOOTSTRAP_CONFIG_KEYS, BOOTSTRAP_PROJECT, parseBootstrapConfig } from "./config";
import { CiIdentities } from "./ciIdentities";
import { ImageSigning } from "./imageSigning";
import { decodeConfigValue as decode } from "../stacks/load";

const prefix = `${BOOTSTRAP_PROJECT}:`;
const projectKeys = new Set([...BOOTSTRAP_CONFIG_KEYS, ...Object.keys(pulumi.runtime.allConfig()).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length))]);
// Validated before any resource is registered.
const settings = parseBootstrapConfig({
    stack: pulumi.getStack(),
    project: Object.fromEntries([...projectKeys].map((k) => [k, decode(pulumi.runtime.getConfig(`${prefix}${k}`))]).filter(([, v]) => v !== undefined)),
    aws: { region: decode(pulumi.runtime.getConfig("aws:region")), allowedAccountIds: decode(pulumi.runtime.getConfig("aws:allowedAccountIds")) },
});

const awsContext = pulumi
    .output({ partition: aws.getPartitionOutput(), identity: aws.getCallerIdentityOutput() })
    .apply(({ partition, identity }) => ({ partition: partition.partition, region: settings.region, accountId: identity.accountId }));

const signing = new ImageSigning("signing");
const ci = new CiIdentities("ci", {
    githubRepository: settings.githubRepository,
    stateBucketName: settings.stateBucketName,
    signingProfileArn: signing.signingProfileArn,
    awsContext,
});

export const signingProfileArn = signing.signingProfileArn;
export const previewRoleArn = ci.previewRoleArn;
/** Environment (app stack) → deploy role ARN. */
export const deployRoleArns = ci.deployRoleArns;
export const oidcProviderArn = ci.oidcProviderArn;
