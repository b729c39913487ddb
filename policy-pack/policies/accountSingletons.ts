/**
 * Class (d): account-wide singletons created in an app stack. These resources configure the whole
 * account or registry (per region): there is one of each, so a second app stack (a personal stack,
 * or develop beside main in one account) overwrites the first one's setting, and destroying either
 * removes it for both. They belong in the account bootstrap stack (SPEC §7: "Registry-wide
 * singletons live only here").
 *
 * Sources: ECR registry settings apply to the registry ("Creates or updates the scanning
 * configuration for your private registry", PutRegistryScanningConfiguration; likewise
 * PutRegistryPolicy, PutReplicationConfiguration, PutAccountSetting, PutSigningConfiguration)
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutRegistryScanningConfiguration.html
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html
 */
import { BOOTSTRAP_PROJECT } from "../lib/projects";
import { StackResource, StackRule, StackViolation } from "../lib/types";

/** Type token -> what it configures account-wide. */
export const ACCOUNT_SINGLETON_TYPES: Readonly<Record<string, string>> = {
    "aws-native:ecr:SigningConfiguration": "the ECR registry's signing configuration",
    "aws-native:ecr:RegistryScanningConfiguration": "the ECR registry's scanning configuration",
    "aws-native:ecr:ReplicationConfiguration": "the ECR registry's replication configuration",
    "aws-native:ecr:RegistryPolicy": "the ECR registry's policy",
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": "the ECR registry's scanning configuration",
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": "the ECR registry's replication configuration",
    "aws:ecr/registryPolicy:RegistryPolicy": "the ECR registry's policy",
    "aws:ecr/accountSetting:AccountSetting": "an ECR account setting",
    "aws:ecs/accountSettingDefault:AccountSettingDefault": "an ECS account setting default",
    "aws:apigateway/account:Account": "API Gateway's account settings (its CloudWatch role)",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": "the account's IAM password policy",
    "aws:iam/accountAlias:AccountAlias": "the account alias",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "an OIDC identity provider (one per URL per account)",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": "S3 Block Public Access for the account",
    "aws:ebs/encryptionByDefault:EncryptionByDefault": "EBS encryption by default",
    "aws:ebs/defaultKmsKey:DefaultKmsKey": "the default EBS KMS key",
    "aws:ec2/serialConsoleAccess:SerialConsoleAccess": "EC2 serial console access",
    "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess": "AMI block public access",
    "aws:xray/encryptionConfig:EncryptionConfig": "X-Ray encryption",
    "aws:guardduty/detector:Detector": "the GuardDuty detector (one per account and region)",
    "aws:securityhub/account:Account": "Security Hub enablement",
    "aws:macie2/account:Account": "Macie enablement",
    "aws:inspector2/enabler:Enabler": "Inspector enablement",
    "aws:cloudwatch/logAccountPolicy:LogAccountPolicy": "a CloudWatch Logs account policy",
    "aws:ssm/serviceSetting:ServiceSetting": "an SSM service setting",
};

export function checkAccountSingleton(type: string): string[] {
    const what = ACCOUNT_SINGLETON_TYPES[type];
    if (what === undefined) return [];
    return [
        `${type} configures ${what}, which exists once per account (and region): a second app stack would overwrite it and destroying either removes it for both. Create it in the account bootstrap stack (bootstrap/), not in an app stack`,
    ];
}

export { BOOTSTRAP_PROJECT };

export function checkAccountSingletons(resources: readonly StackResource[], context: { config: Record<string, unknown> }): StackViolation[] {
    if (context.config.project === BOOTSTRAP_PROJECT) return [];
    return resources.flatMap((r) => checkAccountSingleton(r.type).map((message) => ({ urn: r.urn, message })));
}

export const accountSingletonRules: readonly StackRule[] = [
    {
        kind: "stack",
        name: "no-account-singletons-in-app-stack",
        description: "App stacks create no account- or registry-wide singleton (ECR signing/scanning/replication configuration, registry policy, account settings, OIDC providers, ...); those live in the bootstrap stack.",
        enforcementLevel: "mandatory",
        check: checkAccountSingletons,
        configSchema: {
            properties: {
                project: { type: "string", description: `The Pulumi project; ${BOOTSTRAP_PROJECT} may create the singletons (default: read from the resources' URNs).` },
            },
        },
    },
];
