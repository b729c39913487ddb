/**
 * Web hosting of the application on Amplify Hosting (what the earlier Amplify app did): one app
 * connected to the GitHub repository, the stack's branch with the stack's environment variables,
 * the SSR runtime's log group and logging role, and an optional custom domain.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../builders/names";
import { AwsContext } from "../builders/policies/document";
import {
    WEB_FRAMEWORK,
    WEB_PLATFORM,
    WebHostingSettings,
    amplifyServiceTrustPolicy,
    amplifySsrLoggingPolicy,
    amplifyVariableProblems,
    branchStage,
    webBuildSpec,
    webOrigins,
    webUrl,
} from "../builders/webHosting";
import { retainedLogGroup } from "./retainedLogGroup";

export interface WebHostingArgs {
    /** Environment name: decides the branch's stage (main: PRODUCTION, else DEVELOPMENT). Required. */
    environment: string;
    /** Suffix of physical names (builders/names.ts). Default: the environment. */
    nameScope?: string;
    /** Partition, region and account of the stack. Required. */
    awsContext: pulumi.Input<AwsContext>;
    /** Repository, branch and optional custom domain (validated config). Required. */
    hosting: WebHostingSettings;
    /** GitHub personal access token for the Amplify GitHub App; kept secret. Required. */
    accessToken: pulumi.Output<string>;
    /**
     * Names of the variables the branch carries, known before their values: the build writes
     * exactly these to `.env.production`. Required.
     */
    environmentVariableNames: readonly string[];
    /** The branch's environment variables (the stack's `appEnvironment`), names as above. Required. */
    environmentVariables: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Retention of the SSR runtime's log group. Required (per environment). */
    logRetentionDays: number;
    /** `protect` the log group. Default: false. */
    protectStatefulResources?: boolean;
}

export class WebHosting extends pulumi.ComponentResource {
    readonly appId: pulumi.Output<string>;
    readonly defaultDomain: pulumi.Output<string>;
    readonly branchName: pulumi.Output<string>;
    /** The site's URL: the custom domain when set, else `https://<branch>.<default domain>`. */
    readonly webUrl: pulumi.Output<string>;
    /** Every origin the site answers on (the branch's default URL, then the custom domain). */
    readonly webOrigins: pulumi.Output<string[]>;
    /** The custom domain's DNS records to create (the program does not own the zone); undefined without one. */
    readonly customDomainTarget: pulumi.Output<{ dnsRecord: string; certificateVerificationDnsRecord: string }> | undefined;
    readonly serviceRoleArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: WebHostingArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super: the names must be ones Amplify accepts and the build spec can write.
        webBuildSpec(args.environmentVariableNames);
        const reserved = amplifyVariableProblems(Object.fromEntries(args.environmentVariableNames.map((n) => [n, ""])));
        if (reserved.length > 0) throw new Error(`WebHosting ${name}: ${reserved.join("; ")}`);
        super("stark:web:WebHosting", name, {}, opts);
        const child = { parent: this };
        const scope = args.nameScope ?? args.environment;
        const ctx = pulumi.output(args.awsContext);
        const { hosting } = args;

        // The role Amplify assumes for the SSR runtime's logging (an SSR app needs one); no backend
        // deployment permissions: the stack deploys everything else.
        const role = new aws.iam.Role(
            `${name}-service-role`,
            {
                name: physicalName("web", scope),
                description: "Amplify Hosting: SSR runtime logging of the web app",
                assumeRolePolicy: ctx.apply((c) => JSON.stringify(amplifyServiceTrustPolicy(c))),
            },
            child,
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-service-policy`,
            { role: role.id, policy: ctx.apply((c) => JSON.stringify(amplifySsrLoggingPolicy(c))) },
            child,
        );

        const app = new aws.amplify.App(
            `${name}-app`,
            {
                name: physicalName("web", scope),
                description: `STARK Ballot Simulator web app (${scope})`,
                repository: hosting.repository,
                // Used once to install the Amplify GitHub App's webhook; Amplify does not store it.
                accessToken: pulumi.secret(args.accessToken),
                platform: WEB_PLATFORM,
                iamServiceRoleArn: role.arn,
                buildSpec: webBuildSpec(args.environmentVariableNames),
                // No app-level variables: they live on the branch. The app comes first (the API's
                // CORS needs its domain) and the variables name the API, so here they would be a cycle.
            },
            // The role must be able to write logs before the first build runs.
            { parent: this, dependsOn: [rolePolicy] },
        );

        const branch = new aws.amplify.Branch(
            `${name}-branch`,
            {
                appId: app.id,
                branchName: hosting.branch,
                framework: WEB_FRAMEWORK,
                stage: branchStage(args.environment),
                enableAutoBuild: true,
                environmentVariables: args.environmentVariables,
            },
            child,
        );

        // Amplify writes SSR runtime logs to /aws/amplify/<app id>, the group the console's "Hosting
        // compute logs" opens. AWS's pages say only that SSR runtime logs go to CloudWatch Logs through
        // the service role (logs:CreateLogGroup, CreateLogStream, DescribeLogGroups, PutLogEvents:
        // https://docs.aws.amazon.com/amplify/latest/userguide/ssr-supported-features.html#ssr-CloudWatch-logs,
        // https://docs.aws.amazon.com/amplify/hosting/userguide/cloudwatch-logs-role.html); the name is
        // the Amplify Hosting team's answer in https://github.com/aws-amplify/amplify-hosting/issues/3171
        // ("a log group named /aws/amplify/<app_id>"). Created here so it has the stack's retention; the
        // role above may write only under /aws/amplify/.
        const logGroup = retainedLogGroup(
            `${name}-ssr-logs`,
            pulumi.interpolate`/aws/amplify/${app.id}`,
            args.logRetentionDays,
            { parent: this, protect: args.protectStatefulResources ?? false },
        );

        let customDomainTarget: WebHosting["customDomainTarget"];
        if (hosting.customDomain) {
            const domain = new aws.amplify.DomainAssociation(
                `${name}-domain`,
                {
                    appId: app.id,
                    domainName: hosting.customDomain.domainName,
                    subDomains: [{ branchName: branch.branchName, prefix: hosting.customDomain.prefix }],
                    // The program does not own the zone: `up` must not wait for DNS someone else creates.
                    waitForVerification: false,
                },
                child,
            );
            customDomainTarget = pulumi
                .all([domain.subDomains, domain.certificateVerificationDnsRecord])
                .apply(([subDomains, certificateVerificationDnsRecord]) => ({
                    dnsRecord: subDomains[0]?.dnsRecord ?? "",
                    certificateVerificationDnsRecord,
                }));
        }

        this.appId = app.id;
        this.defaultDomain = app.defaultDomain;
        this.branchName = branch.branchName;
        // From the app and the configured branch name, not from the branch resource: the branch
        // waits for the API (its variables), and the API's CORS waits for these origins.
        this.webUrl = app.defaultDomain.apply((d) => webUrl(hosting.branch, d, hosting.customDomain));
        this.webOrigins = app.defaultDomain.apply((d) => webOrigins(hosting.branch, d, hosting.customDomain));
        this.customDomainTarget = customDomainTarget;
        this.serviceRoleArn = role.arn;
        this.logGroupName = logGroup.name;
        this.registerOutputs({
            appId: this.appId,
            defaultDomain: this.defaultDomain,
            branchName: this.branchName,
            webUrl: this.webUrl,
            webOrigins: this.webOrigins,
            serviceRoleArn: this.serviceRoleArn,
            logGroupName: this.logGroupName,
        });
    }
}
