import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../builders/policies/document";
import {
    CI_ROLE_NAMES,
    DEPLOY_ENVIRONMENTS,
    type DeployEnvironment,
    GITHUB_OIDC_AUDIENCE,
    GITHUB_OIDC_URL,
    deployRolePolicy,
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
        const context = pulumi
            .output({ c: args.awsContext, signingProfileArn: args.signingProfileArn })
            .apply(({ c, signingProfileArn }) => ({ ...c, stateBucketName: args.stateBucketName, signingProfileArn }));

        const role = (key: "preview" | DeployEnvironment, description: string, policy: pulumi.Output<string>) => {
            const r = new aws.iam.Role(
                `${name}-${key}`,
                {
                    name: CI_ROLE_NAMES[key],
                    description,
                    assumeRolePolicy: provider.arn.apply((arn) => JSON.stringify(githubTrustPolicy(arn, subjects[key]))),
                    maxSessionDuration: 3600,
                },
                child,
            );
            new aws.iam.RolePolicy(`${name}-${key}-policy`, { role: r.id, name: key === "preview" ? "preview" : "deploy", policy }, child);
            return r;
        };
        const preview = role("preview", `Pull-request previews of ${args.githubRepository} (read-only)`, context.apply((c) => JSON.stringify(previewRolePolicy(c))));
        const deploy = Object.fromEntries(
            (Object.keys(DEPLOY_ENVIRONMENTS) as DeployEnvironment[]).map((env) => [
                env,
                role(env, `pulumi up of the ${env} stack from the ${DEPLOY_ENVIRONMENTS[env].githubEnvironment} environment of ${args.githubRepository}`, context.apply((c) => JSON.stringify(deployRolePolicy(c, env)))),
            ]),
        ) as Record<DeployEnvironment, aws.iam.Role>;

        this.oidcProviderArn = provider.arn;
        this.previewRoleArn = preview.arn;
        this.deployRoleArns = { develop: deploy.develop.arn, main: deploy.main.arn };
        this.registerOutputs({ oidcProviderArn: this.oidcProviderArn, previewRoleArn: this.previewRoleArn, deployRoleArns: this.deployRoleArns });
    }
}
