import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../builders/policies/document";
import {
    CI_ROLE_NAMES,
    DEPLOY_ENVIRONMENTS,
    type DeployEnvironment,
    GITHUB_OIDC_AUDIENCE,
    DEPLOY_POLICY_PARTS,
    GITHUB_OIDC_URL,
    deployRolePolicyParts,
    githubTrustPolicy,
    oidcSubjects,
    previewRolePolicy,
} from "./policies";

export interface CiIdentitiesArgs {
    /** `owner/repo` whose workflows may assume the roles. Required. */
    githubRepository: string;
    /** Bucket of the self-managed Pulumi backend. Required. */
    stateBucketName: string;
    /** The Signer profile the deploy roles sign with. Required. */
    signingProfileArn: pulumi.Input<string>;
    awsContext: pulumi.Output<AwsContext>;
}

/**
 * GitHub's OIDC provider and the three CI roles (no long-lived keys): `preview` for pull requests,
 * `deploy-develop` and `deploy-main` for jobs of the `develop` and `production` environments.
 */
export class CiIdentities extends pulumi.ComponentResource {
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly previewRoleArn: pulumi.Output<string>;
    readonly deployRoleArns: Record<DeployEnvironment, pulumi.Output<string>>;

    constructor(name: string, args: CiIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("stark:bootstrap:CiIdentities", name, {}, opts);
        const child = { parent: this };
        // No thumbprint: IAM trusts GitHub's certificate through its own root CAs.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
        const provider = new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, { url: GITHUB_OIDC_URL, clientIdLists: [GITHUB_OIDC_AUDIENCE] }, child);
        const subjects = oidcSubjects(args.githubRepository);
        const context = pulumi.all([args.awsContext, args.signingProfileArn]).apply(([c, signingProfileArn]) => ({ ...c, stateBucketName: args.stateBucketName, signingProfileArn }));

        const role = (key: "preview" | DeployEnvironment, description: string) =>
            new aws.iam.Role(
                `${name}-${key}`,
                {
                    name: CI_ROLE_NAMES[key],
                    description,
                    assumeRolePolicy: provider.arn.apply((arn) => JSON.stringify(githubTrustPolicy(arn, subjects[key]))),
                    maxSessionDuration: 3600,
                },
                child,
            );
        const preview = role("preview", `Pull-request previews of ${args.githubRepository} (read-only)`);
        new aws.iam.RolePolicy(`${name}-preview-policy`, { role: preview.id, name: "preview", policy: context.apply((c) => JSON.stringify(previewRolePolicy(c))) }, child);
        // A deploy role's document is over IAM's inline limit (10,240 characters per role): it is
        // attached as DEPLOY_POLICY_PARTS customer managed policies of at most 6,144 each.
        const deploy = Object.fromEntries(
            (Object.keys(DEPLOY_ENVIRONMENTS) as DeployEnvironment[]).map((env) => {
                const r = role(env, `pulumi up of the ${env} stack from the ${DEPLOY_ENVIRONMENTS[env].githubEnvironment} environment of ${args.githubRepository}`);
                const parts = context.apply((c) => deployRolePolicyParts(c, env));
                for (let index = 0; index < DEPLOY_POLICY_PARTS; index++) {
                    const policy = new aws.iam.Policy(
                        `${name}-${env}-policy-${index + 1}`,
                        {
                            name: `${CI_ROLE_NAMES[env]}-${index + 1}`,
                            description: `Part ${index + 1} of ${DEPLOY_POLICY_PARTS} of what ${CI_ROLE_NAMES[env]} may do`,
                            policy: parts.apply((p) => JSON.stringify(p[index])),
                        },
                        child,
                    );
                    new aws.iam.RolePolicyAttachment(`${name}-${env}-policy-${index + 1}`, { role: r.name, policyArn: policy.arn }, child);
                }
                return [env, r];
            }),
        ) as Record<DeployEnvironment, aws.iam.Role>;

        this.oidcProviderArn = provider.arn;
        this.previewRoleArn = preview.arn;
        this.deployRoleArns = { develop: deploy.develop.arn, main: deploy.main.arn };
        this.registerOutputs({ oidcProviderArn: this.oidcProviderArn, previewRoleArn: this.previewRoleArn, deployRoleArns: this.deployRoleArns });
    }
}
