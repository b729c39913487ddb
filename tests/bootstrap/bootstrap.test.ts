/**
 * The account bootstrap (bootstrap/): its config rules, the synthesized example stack (Signer
 * profile, ECR signing configuration through @pulumi/aws-native, GitHub OIDC provider and roles) and
 * the least-privilege boundary of the CI roles, checked against the IAM catalogue and against every
 * named resource the develop and main app stacks synthesize.
 */
import * as assert from "node:assert/strict";
import { BootstrapConfigError, parseBootstrapConfig, type RawBootstrapConfig } from "../../bootstrap/config";
import { SIGNED_REPOSITORY_FILTER, SIGNING_PROFILE_NAME } from "../../bootstrap/imageSigning";
import {
    type CiPolicyContext,
    DEPLOY_POLICY_PARTS,
    MANAGED_POLICY_MAX_CHARACTERS,
    deployRolePolicyParts,
    policySize,
    splitPolicyDocument,
    ENVIRONMENT_UNBOUND_HOSTING_ACTIONS, UNSCOPABLE_DATA_API_ACTIONS, deployRolePolicy, githubTrustPolicy, oidcSubjects, previewRolePolicy } from "../../bootstrap/policies";
import type { PolicyDocument, PolicyStatement } from "../../builders/policies/document";
import { loadIamCatalogue, verifyPolicyDocument } from "../../scripts/lib/iamCatalogue";
import { mockState } from "../../offline/mockCloud";
import { type BootstrapSynthResult, synthesizeBootstrap } from "../../scripts/lib/synthesizeBootstrap";
import type { SynthResult } from "../../scripts/lib/synthesize";
import { SIGNED_REPOSITORY_PREFIX } from "../../stacks/config";
import { synth } from "../support/synth";
import { BOOTSTRAP_PROJECT } from "../../policy-pack/policies/accountSingletons";

const ACCOUNT = "123456789012";
const REPOSITORY = "example-org/stark-ballot-simulator";
const CONTEXT: CiPolicyContext = {
    partition: "aws",
    region: "ap-northeast-1",
    accountId: ACCOUNT,
    stateBucketName: "example-org-pulumi-state",
    signingProfileArn: `arn:aws:signer:ap-northeast-1:${ACCOUNT}:/signing-profiles/${SIGNING_PROFILE_NAME}`,
};

/** IAM's wildcard matching: `*` any run of characters, `?` one; actions case-insensitively. */
function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const TAG_KEYS = ["aws:ResourceTag/Environment", "aws:RequestTag/Environment"];
/**
 * Whether the statement's `Environment` tag conditions hold for a resource of `environment` (every
 * resource carries that tag through aws:defaultTags). Without an environment, or for other
 * condition keys, conditions are not evaluated.
 */
function tagConditionsHold(s: PolicyStatement, environment: string | undefined): boolean {
    if (environment === undefined) return true;
    const equals = ((s.Condition ?? {}) as Record<string, Record<string, unknown>>).StringEquals ?? {};
    return TAG_KEYS.every((key) => equals[key] === undefined || list(equals[key] as string | string[]).includes(environment));
}
const matches = (s: PolicyStatement, action: string, resource: string, environment?: string) =>
    list(s.Action).some((a) => globMatch(a, action, true)) && list(s.Resource).some((r) => globMatch(r, resource)) && tagConditionsHold(s, environment);
/** Allowed by some Allow statement and not denied; of the conditions, only the `Environment` tag ones are evaluated. */
function allows(doc: PolicyDocument, action: string, resource: string, environment?: string): boolean {
    const statements = doc.Statement;
    return statements.some((s) => s.Effect === "Allow" && matches(s, action, resource, environment)) && !statements.some((s) => s.Effect === "Deny" && matches(s, action, resource, environment));
}

describe("bootstrap: configuration", () => {
    const valid = (): RawBootstrapConfig => ({
        stack: "example",
        project: { githubRepository: REPOSITORY, stateBucketName: "example-org-pulumi-state" },
        aws: { region: "ap-northeast-1", allowedAccountIds: [ACCOUNT] },
    });

    it("parses the example's values", () => {
        assert.deepEqual(parseBootstrapConfig(valid()), { region: "ap-northeast-1", accountId: ACCOUNT, githubRepository: REPOSITORY, stateBucketName: "example-org-pulumi-state" });
    });

    it("reports every problem at once, each naming the key and the rule", () => {
        const raw = valid();
        raw.project = { githubRepository: "<owner>/<repo>", stateBucketName: "Bad_Bucket", extra: 1 };
        raw.aws = { region: "tokyo", allowedAccountIds: [ACCOUNT, "210987654321"] };
        assert.throws(
            () => parseBootstrapConfig(raw),
            (e: unknown) =>
                e instanceof BootstrapConfigError &&
                e.problems.join("\n") ===
                    [
                        "stark-ballot-simulator-bootstrap:extra: unknown key (known keys: githubRepository, stateBucketName)",
                        'stark-ballot-simulator-bootstrap:githubRepository: required: the GitHub repository as owner/repo, got "<owner>/<repo>"',
                        'stark-ballot-simulator-bootstrap:stateBucketName: "Bad_Bucket" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit)',
                        'aws:region: required: the region of the app stacks, got "tokyo"',
                        "aws:allowedAccountIds: required: a list of exactly one 12-digit account id (one bootstrap stack per account)",
                    ].join("\n"),
        );
    });

    it("a bad stack file fails before any resource is registered", async () => {
        const error = await synthesizeBootstrap("example", { configOverrides: { "stark-ballot-simulator-bootstrap:githubRepository": undefined } }).then(
            () => assert.fail("should fail"),
            (e: Error) => e,
        );
        assert.match(error.message, /^Invalid configuration for bootstrap stack "example" \(1 problem\):\n {2}- stark-ballot-simulator-bootstrap:githubRepository: required/);
    });
});

describe("bootstrap: the example stack, synthesized", function () {
    let r: BootstrapSynthResult;
    before(async () => {
        r = await synthesizeBootstrap("example");
    });
    const one = (type: string) => {
        const found = r.resources.filter((x) => x.type === type);
        assert.equal(found.length, 1, `${type}: ${found.length}`);
        return found[0];
    };

    it("registers exactly the signing pieces and the CI identities, in two components", () => {
        assert.deepEqual(
            // Registration order depends on when each input resolves; the set is what counts.
            r.resources.map((x) => `${x.type}::${x.name}`).sort(),
            [
                "stark:bootstrap:ImageSigning::signing",
                "aws:signer/signingProfile:SigningProfile::signing-profile",
                "aws-native:ecr:SigningConfiguration::signing-registry-signing",
                "stark:bootstrap:CiIdentities::ci",
                "aws:iam/openIdConnectProvider:OpenIdConnectProvider::ci-github-oidc",
                "aws:iam/role:Role::ci-preview",
                "aws:iam/rolePolicy:RolePolicy::ci-preview-policy",
                "aws:iam/role:Role::ci-develop",
                "aws:iam/role:Role::ci-main",
                // Each deploy role: DEPLOY_POLICY_PARTS managed policies and their attachments (IAM's inline limit).
                ...["develop", "main"].flatMap((env) =>
                    [1, 2, 3, 4].flatMap((i) => [`aws:iam/policy:Policy::ci-${env}-policy-${i}`, `aws:iam/rolePolicyAttachment:RolePolicyAttachment::ci-${env}-policy-${i}`]),
                ),
            ].sort(),
        );
        const parents = Object.fromEntries(r.resources.filter((x) => x.custom).map((x) => [x.name, x.parent]));
        assert.equal(parents["signing-registry-signing"], "stark:bootstrap:ImageSigning::signing");
        assert.equal(parents["ci-main-policy-4"], "stark:bootstrap:CiIdentities::ci");
        assert.deepEqual([...new Set(r.invokes)], ["aws:index/getPartition:getPartition", "aws:index/getCallerIdentity:getCallerIdentity"]);
    });

    it("Signer profile: Notation-OCI-SHA384-ECDSA, a name of letters, digits and _ only, 24-month signatures, protected", () => {
        const profile = one("aws:signer/signingProfile:SigningProfile");
        assert.deepEqual(profile.inputs, { name: "stark_ballot_simulator_prover", platformId: "Notation-OCI-SHA384-ECDSA", signatureValidityPeriod: { value: 24, type: "MONTHS" } });
        assert.match(profile.inputs.name, /^[0-9a-zA-Z_]{2,64}$/);
        assert.equal(profile.protect, true);
    });

    it("registry signing configuration (aws-native): one rule, the profile, a wildcard filter covering both prover repositories", () => {
        const configuration = one("aws-native:ecr:SigningConfiguration");
        assert.deepEqual(configuration.inputs, {
            rules: [{ signingProfileArn: CONTEXT.signingProfileArn, repositoryFilters: [{ filter: "stark-ballot-simulator-prover-*", filterType: "WILDCARD_MATCH" }] }],
        });
        for (const env of ["develop", "main"]) assert.ok(globMatch(SIGNED_REPOSITORY_FILTER, `stark-ballot-simulator-prover-${env}`));
        assert.ok(!globMatch(SIGNED_REPOSITORY_FILTER, "stark-ballot-simulator-api-develop"));
        // The app stacks' config rule for prebuilt images names the same repositories.
        assert.equal(`${SIGNED_REPOSITORY_PREFIX}*`, SIGNED_REPOSITORY_FILTER);
    });

    it("GitHub OIDC provider for token.actions.githubusercontent.com with the STS audience", () => {
        assert.deepEqual(one("aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs, { url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] });
    });

    it("each role trusts exactly one subject and the audience, with StringEquals", () => {
        const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
        const expected: Record<string, [string, string]> = {
            "ci-preview": ["gha-stark-ballot-simulator-preview", `repo:${REPOSITORY}:pull_request`],
            "ci-develop": ["gha-stark-ballot-simulator-deploy-develop", `repo:${REPOSITORY}:environment:develop`],
            "ci-main": ["gha-stark-ballot-simulator-deploy-main", `repo:${REPOSITORY}:environment:production`],
        };
        for (const [name, [roleName, sub]] of Object.entries(expected)) {
            const role = r.resources.find((x) => x.type === "aws:iam/role:Role" && x.name === name)!;
            assert.equal(role.inputs.name, roleName);
            assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "GitHubActionsOidc",
                        Effect: "Allow",
                        Principal: { Federated: provider },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": sub } },
                    },
                ],
            });
        }
        assert.deepEqual(oidcSubjects(REPOSITORY), {
            preview: `repo:${REPOSITORY}:pull_request`,
            develop: `repo:${REPOSITORY}:environment:develop`,
            main: `repo:${REPOSITORY}:environment:production`,
        });
    });

    it("role policies are the pure documents for this account; a deploy role's, in order, across its managed policies, each within IAM's limit", () => {
        const byName = (name: string, type: string) => r.resources.find((x) => x.name === name && x.type === type)!;
        assert.deepEqual(JSON.parse(byName("ci-preview-policy", "aws:iam/rolePolicy:RolePolicy").inputs.policy), previewRolePolicy(CONTEXT));
        for (const env of ["develop", "main"] as const) {
            const parts = [1, 2, 3, 4].map((i) => byName(`ci-${env}-policy-${i}`, "aws:iam/policy:Policy"));
            assert.deepEqual(parts.map((p) => p.inputs.name), [1, 2, 3, 4].map((i) => `gha-stark-ballot-simulator-deploy-${env}-${i}`));
            const documents = parts.map((p) => JSON.parse(p.inputs.policy) as PolicyDocument);
            assert.deepEqual(documents, deployRolePolicyParts(CONTEXT, env));
            assert.deepEqual(documents.flatMap((d) => d.Statement), deployRolePolicy(CONTEXT, env).Statement);
            for (const d of documents) assert.ok(policySize(d) <= MANAGED_POLICY_MAX_CHARACTERS, `${env}: ${policySize(d)}`);
            for (const i of [1, 2, 3, 4]) {
                const attachment = byName(`ci-${env}-policy-${i}`, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
                assert.equal(attachment.inputs.role, `gha-stark-ballot-simulator-deploy-${env}`);
                assert.equal(attachment.inputs.policyArn, `arn:aws:iam::${ACCOUNT}:policy/gha-stark-ballot-simulator-deploy-${env}-${i}`);
            }
        }
        // No inline deploy policy: its size (about 19,000 characters) is over IAM's 10,240 per role.
        assert.deepEqual(r.resources.filter((x) => x.type === "aws:iam/rolePolicy:RolePolicy").map((x) => x.name), ["ci-preview-policy"]);
        assert.ok(policySize(deployRolePolicy(CONTEXT, "develop")) > 10240);
    });

    it("is the project the policy pack exempts from no-account-singletons-in-app-stack", () => {
        const project = /^name: (\S+)$/m.exec(require("node:fs").readFileSync(require("node:path").join(__dirname, "..", "..", "bootstrap", "Pulumi.yaml"), "utf8"))?.[1];
        assert.equal(project, BOOTSTRAP_PROJECT);
    });

    it("passes the policy pack (as `pulumi up --policy-pack policy-pack` of the bootstrap would)", async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { evaluatePolicies } = require("../../policy-pack/policies");
        const resources = r.resources.map((x) => ({ ...x, urn: `${x.type}::${x.name}` }));
        assert.deepEqual(await evaluatePolicies(resources, { environment: "main", stack: "example", project: BOOTSTRAP_PROJECT }), []);
        // The same singletons in an app project are refused (policy no-account-singletons-in-app-stack).
        const inAppProject = (await evaluatePolicies(resources, { environment: "main" })) as { policy: string; resource: string }[];
        assert.deepEqual(
            inAppProject.map((v) => `${v.policy} ${v.resource}`).sort(),
            [
                "no-account-singletons-in-app-stack aws-native:ecr:SigningConfiguration::signing-registry-signing",
                "no-account-singletons-in-app-stack aws:iam/openIdConnectProvider:OpenIdConnectProvider::ci-github-oidc",
            ],
        );
        // The pack does read these documents: a wildcard grant on the preview role is reported.
        const widened = resources.map((x) =>
            x.name === "ci-preview-policy" ? { ...x, inputs: { ...x.inputs, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] }) } } : x,
        );
        const violations = await evaluatePolicies(widened, { environment: "main", project: BOOTSTRAP_PROJECT });
        assert.deepEqual(violations, [
            {
                enforcementLevel: "mandatory",
                message: 'policy: statement "All" allows wildcard action "*"',
                policy: "iam-no-wildcard-actions",
                resource: "aws:iam/rolePolicy:RolePolicy::ci-preview-policy",
            },
            {
                enforcementLevel: "mandatory",
                message: 'policy: statement "All" allows Resource "*" for actions that accept a narrower resource: *',
                policy: "iam-resource-wildcard-only-when-required",
                resource: "aws:iam/rolePolicy:RolePolicy::ci-preview-policy",
            },
        ]);
    });

    it("the registry-wide singletons and CI identities exist only here, never in an app stack", async () => {
        for (const stack of ["develop", "main"]) {
            const app = await synth(stack);
            const types = app.resources.map((x) => x.type);
            assert.deepEqual(
                types.filter((t) => t.startsWith("aws-native:") || t === "aws:signer/signingProfile:SigningProfile" || t === "aws:iam/openIdConnectProvider:OpenIdConnectProvider"),
                [],
                stack,
            );
        }
    });

    it("outputs: signingProfileArn, previewRoleArn, deployRoleArns per environment, oidcProviderArn", () => {
        assert.deepEqual(r.outputs, {
            signingProfileArn: CONTEXT.signingProfileArn,
            previewRoleArn: `arn:aws:iam::${ACCOUNT}:role/gha-stark-ballot-simulator-preview`,
            deployRoleArns: {
                develop: `arn:aws:iam::${ACCOUNT}:role/gha-stark-ballot-simulator-deploy-develop`,
                main: `arn:aws:iam::${ACCOUNT}:role/gha-stark-ballot-simulator-deploy-main`,
            },
            oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
        });
    });
});

describe("bootstrap: CI role boundaries", function () {
    before(() => loadIamCatalogue());

    it("every deploy policy part stays within IAM's managed-policy limit for the longest names a stack can have", () => {
        // The longest partition and region names, a 63-character state bucket (S3's maximum).
        const longest: CiPolicyContext = {
            partition: "aws-us-gov",
            region: "ap-southeast-5",
            accountId: ACCOUNT,
            stateBucketName: "b".repeat(63),
            signingProfileArn: `arn:aws-us-gov:signer:ap-southeast-5:${ACCOUNT}:/signing-profiles/${SIGNING_PROFILE_NAME}`,
        };
        for (const env of ["develop", "main"] as const) {
            const parts = deployRolePolicyParts(longest, env);
            assert.equal(parts.length, DEPLOY_POLICY_PARTS);
            assert.ok(parts.every((p) => p.Statement.length > 0 && policySize(p) <= MANAGED_POLICY_MAX_CHARACTERS), parts.map(policySize).join(", "));
            assert.deepEqual(parts.flatMap((p) => p.Statement), deployRolePolicy(longest, env).Statement);
        }
    });

    it("splitPolicyDocument: exactly n contiguous parts, the largest as small as possible; over the limit it names the part", () => {
        const statement = (sid: string, n: number): PolicyStatement => ({ Sid: sid, Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"x".repeat(n)}` });
        const doc = { Version: "2012-10-17" as const, Statement: [statement("A", 100), statement("B", 100), statement("C", 300), statement("D", 100)] };
        assert.deepEqual(splitPolicyDocument(doc, 2, 10000).map((p) => p.Statement.map((x) => x.Sid)), [["A", "B"], ["C", "D"]]);
        assert.deepEqual(splitPolicyDocument(doc, 3, 10000).map((p) => p.Statement.map((x) => x.Sid)), [["A", "B"], ["C"], ["D"]]);
        assert.throws(() => splitPolicyDocument(doc, 5, 10000), /cannot split 4 statements into 5 policies/);
        assert.throws(() => splitPolicyDocument(doc, 2, 400), /^Error: policy part 2 of 2 has \d+ characters; IAM allows 400 \(raise DEPLOY_POLICY_PARTS\)$/);
    });

    it("every action of every document is a real IAM action (IAM catalogue)", () => {
        for (const [label, doc] of [
            ["preview", previewRolePolicy(CONTEXT)],
            ["deploy-develop", deployRolePolicy(CONTEXT, "develop")],
            ["deploy-main", deployRolePolicy(CONTEXT, "main")],
            ...deployRolePolicyParts(CONTEXT, "develop").map((p, i) => [`deploy-develop part ${i + 1}`, p] as const),
        ] as const) {
            assert.deepEqual(verifyPolicyDocument(doc), [], label);
        }
        assert.equal(githubTrustPolicy("arn:aws:iam::1:oidc-provider/x", "s").Statement.length, 1);
    });

    it("preview reads state and what a preview asks, and can create, change, delete, pass or sign nothing", () => {
        const doc = previewRolePolicy(CONTEXT);
        const actions = doc.Statement.flatMap((s) => list(s.Action)).sort();
        assert.deepEqual(actions, ["ec2:DescribeAvailabilityZones", "ecr:GetAuthorizationToken", "s3:GetBucketLocation", "s3:GetObject", "s3:GetObject", "s3:ListBucket"]);
        assert.ok(doc.Statement.every((s) => s.Effect === "Allow"));
        for (const action of ["iam:PassRole", "signer:SignPayload", "s3:PutObject", "ecr:PutImage", "lambda:CreateFunction"]) {
            assert.equal(allows(doc, action, "*"), false, action);
        }
        assert.ok(allows(doc, "s3:GetObject", "arn:aws:s3:::example-org-pulumi-state/.pulumi/stacks/stark-ballot-simulator/main.json"));
    });

    it("each deploy role writes only its own stack's state, signs with the profile, and never touches account-level singletons or the CI roles", () => {
        const develop = deployRolePolicy(CONTEXT, "develop");
        const state = (path: string) => `arn:aws:s3:::example-org-pulumi-state/.pulumi/${path}`;
        assert.ok(allows(develop, "s3:PutObject", state("stacks/stark-ballot-simulator/develop.json")));
        assert.ok(allows(develop, "s3:PutObject", state("locks/organization/stark-ballot-simulator/develop/1.json")));
        assert.ok(allows(develop, "s3:PutObject", state("history/stark-ballot-simulator/develop/develop-1.history.json")));
        assert.equal(allows(develop, "s3:PutObject", state("stacks/stark-ballot-simulator/main.json")), false);
        assert.equal(allows(develop, "s3:GetObject", state("stacks/stark-ballot-simulator/main.json")), false);
        assert.ok(allows(develop, "signer:SignPayload", CONTEXT.signingProfileArn));
        assert.equal(allows(develop, "signer:SignPayload", `arn:aws:signer:ap-northeast-1:${ACCOUNT}:/signing-profiles/other`), false);
        for (const action of ["ecr:PutSigningConfiguration", "ecr:DeleteSigningConfiguration", "signer:CancelSigningProfile", "iam:DeleteOpenIDConnectProvider"]) {
            assert.equal(allows(develop, action, "*"), false, action);
        }
        for (const role of ["gha-stark-ballot-simulator-deploy-develop", "gha-stark-ballot-simulator-preview"]) {
            for (const action of ["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole"]) {
                assert.equal(allows(develop, action, `arn:aws:iam::${ACCOUNT}:role/${role}`), false, `${action} ${role}`);
            }
        }
    });

    /** What `pulumi up` does first to each named resource, and the ARN AWS gives it. */
    const NEEDS: Record<string, { actions: string[]; arn?: (inputs: Record<string, any>) => string }> = {
        "aws:iam/role:Role": { actions: ["iam:CreateRole", "iam:PutRolePolicy", "iam:PassRole"] },
        "aws:iam/policy:Policy": { actions: ["iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy"] },
        "aws:lambda/function:Function": { actions: ["lambda:CreateFunction", "lambda:PutFunctionConcurrency"] },
        "aws:sqs/queue:Queue": { actions: ["sqs:CreateQueue", "sqs:SetQueueAttributes"] },
        "aws:s3/bucket:Bucket": { actions: ["s3:CreateBucket", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutEncryptionConfiguration"] },
        "aws:dynamodb/table:Table": { actions: ["dynamodb:CreateTable", "dynamodb:UpdateContinuousBackups"] },
        "aws:ecr/repository:Repository": { actions: ["ecr:CreateRepository", "ecr:PutLifecyclePolicy", "ecr:PutImage"] },
        "aws:ecs/cluster:Cluster": { actions: ["ecs:CreateCluster", "ecs:PutClusterCapacityProviders"] },
        "aws:sfn/stateMachine:StateMachine": { actions: ["states:CreateStateMachine"] },
        "aws:cloudwatch/logGroup:LogGroup": { actions: ["logs:CreateLogGroup", "logs:PutRetentionPolicy"] },
        "aws:ssm/parameter:Parameter": { actions: ["ssm:PutParameter"] },
        "aws:sns/topic:Topic": { actions: ["sns:CreateTopic", "sns:SetTopicAttributes"] },
        "aws:cloudtrail/trail:Trail": { actions: ["cloudtrail:CreateTrail", "cloudtrail:StartLogging"] },
        "aws:cloudwatch/metricAlarm:MetricAlarm": { actions: ["cloudwatch:PutMetricAlarm"] },
        "aws:cloudwatch/dashboard:Dashboard": { actions: ["cloudwatch:PutDashboard"], arn: (i) => `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${i.dashboardName}` },
        "aws:kms/alias:Alias": { actions: ["kms:CreateAlias"], arn: (i) => `arn:aws:kms:ap-northeast-1:${ACCOUNT}:${i.name}` },
        // Created by tag (aws:RequestTag), changed by tag (aws:ResourceTag): its id says nothing about the environment.
        "aws:appsync/graphQLApi:GraphQLApi": { actions: ["appsync:CreateGraphqlApi", "appsync:UpdateGraphqlApi", "appsync:TagResource"] },
    };

    function namedResources(r: SynthResult): { type: string; name: string; arn: string; actions: string[]; environment: string }[] {
        return r.resources
            .filter((x) => NEEDS[x.type])
            .map((x) => ({
                type: x.type,
                name: x.name,
                actions: NEEDS[x.type].actions,
                arn: NEEDS[x.type].arn?.(x.inputs) ?? mockState(x.type, x.name, x.inputs, r.account).state.arn,
                environment: String(r.outputs.environment),
            }));
    }

    for (const [env, other] of [["develop", "main"], ["main", "develop"]] as const) {
        it(`deploy-${env} covers every named resource of the ${env} stack, and none of ${other}'s`, async () => {
            const mine = namedResources(await synth(env));
            const theirs = namedResources(await synth(other));
            const doc = deployRolePolicy(CONTEXT, env);
            // Every resource class the program creates by name is covered (a new class must be added here).
            assert.deepEqual([...new Set(mine.map((x) => x.type))].sort(), Object.keys(NEEDS).filter((t) => env === "main" || t !== "aws:cloudtrail/trail:Trail").sort());
            const missing = mine.flatMap((x) => x.actions.filter((a) => !allows(doc, a, x.arn, x.environment)).map((a) => `${a} on ${x.arn}`));
            assert.deepEqual(missing, []);
            const leaking = theirs.flatMap((x) => x.actions.filter((a) => allows(doc, a, x.arn, x.environment)).map((a) => `${a} on ${x.arn}`));
            assert.deepEqual(leaking, []);
            // The data API's schema, data sources and resolvers accept only "*": allowed, in the region, for either environment.
            for (const action of UNSCOPABLE_DATA_API_ACTIONS) assert.ok(allows(doc, action, "*"), action);
        });
    }

    /** What `pulumi up` of a stack with `hosting` (components/webHosting.ts) does to each Amplify resource. */
    const HOSTING_NEEDS: Record<string, string[]> = {
        "aws:amplify/app:App": ["amplify:CreateApp", "amplify:GetApp", "amplify:UpdateApp", "amplify:DeleteApp", "amplify:TagResource"],
        "aws:amplify/branch:Branch": ["amplify:CreateBranch", "amplify:GetBranch", "amplify:UpdateBranch", "amplify:DeleteBranch", "amplify:TagResource"],
        "aws:amplify/domainAssociation:DomainAssociation": ["amplify:CreateDomainAssociation", "amplify:GetDomainAssociation", "amplify:UpdateDomainAssociation", "amplify:DeleteDomainAssociation"],
        "aws:cloudwatch/logGroup:LogGroup": ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DeleteLogGroup"],
    };
    const hostedStack = (env: "develop" | "main") =>
        synth(env, {
            configOverrides: { "stark-ballot-simulator:hosting": { repository: "https://github.com/example-org/stark-ballot-simulator", branch: env, customDomain: { domainName: "example.com", prefix: env } } },
            secrets: { "stark-ballot-simulator:hostingAccessToken": "ghp_bootstrapTestToken0123456789" },
        });
    function hostingResources(r: SynthResult): { arn: string; actions: string[]; environment: string }[] {
        return r.resources
            .filter((x) => x.type.startsWith("aws:amplify/") || (x.type === "aws:cloudwatch/logGroup:LogGroup" && x.name.startsWith("web-")))
            .map((x) => ({ arn: mockState(x.type, x.name, x.inputs, r.account).state.arn, actions: HOSTING_NEEDS[x.type], environment: String(r.outputs.environment) }));
    }

    for (const [env, other] of [["develop", "main"], ["main", "develop"]] as const) {
        it(`deploy-${env} deploys a hosted ${env} stack (Amplify app, branch, domain, SSR log group, the web role passed to Amplify) and of ${other}'s only the untaggable domain`, async () => {
            const doc = deployRolePolicy(CONTEXT, env);
            const mine = hostingResources(await hostedStack(env));
            const theirs = hostingResources(await hostedStack(other));
            assert.equal(mine.length, 4);
            assert.deepEqual(mine.flatMap((x) => x.actions.filter((a) => !allows(doc, a, x.arn, x.environment)).map((a) => `${a} on ${x.arn}`)), []);
            const leaking = theirs.flatMap((x) => x.actions.filter((a) => allows(doc, a, x.arn, x.environment)).map((a) => a));
            assert.deepEqual(leaking, ENVIRONMENT_UNBOUND_HOSTING_ACTIONS);
            const passRole = doc.Statement.find((s) => s.Sid === "PassAppRoles");
            assert.deepEqual((passRole?.Condition as Record<string, Record<string, string[]>>).StringEquals["iam:PassedToService"], [
                "lambda.amazonaws.com",
                "ecs-tasks.amazonaws.com",
                "states.amazonaws.com",
                "cloudtrail.amazonaws.com",
                "appsync.amazonaws.com",
                "amplify.amazonaws.com",
            ]);
            assert.ok(allows(doc, "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/stark-ballot-simulator-web-${env}`));
        });
    }

    it("hosting statements: exact actions, resources and Environment tag conditions (Service Authorization Reference for Amplify)", () => {
        const doc = deployRolePolicy(CONTEXT, "develop");
        const apps = `arn:aws:amplify:ap-northeast-1:${ACCOUNT}:apps/*`;
        const request = { StringEquals: { "aws:RequestedRegion": "ap-northeast-1", "aws:RequestTag/Environment": "develop" } };
        const resource = { StringEquals: { "aws:RequestedRegion": "ap-northeast-1", "aws:ResourceTag/Environment": "develop" } };
        const groups = [`arn:aws:logs:ap-northeast-1:${ACCOUNT}:log-group:/aws/amplify/*`, `arn:aws:logs:ap-northeast-1:${ACCOUNT}:log-group:/aws/amplify/*:*`];
        const sids = ["CreateWebApp", "CreateWebBranch", "WebApp", "WebBranch", "WebTags", "WebDomain", "CreateWebSsrLogGroup", "WebSsrLogGroup"];
        assert.deepEqual(
            doc.Statement.filter((s) => sids.includes(s.Sid ?? "")),
            [
                { Sid: "CreateWebApp", Effect: "Allow", Action: ["amplify:CreateApp"], Resource: "*", Condition: request },
                { Sid: "CreateWebBranch", Effect: "Allow", Action: ["amplify:CreateBranch"], Resource: `${apps}/branches/*`, Condition: request },
                { Sid: "WebApp", Effect: "Allow", Action: ["amplify:GetApp", "amplify:UpdateApp", "amplify:DeleteApp", "amplify:ListBranches", "amplify:ListDomainAssociations"], Resource: apps, Condition: resource },
                { Sid: "WebBranch", Effect: "Allow", Action: ["amplify:GetBranch", "amplify:UpdateBranch", "amplify:DeleteBranch"], Resource: `${apps}/branches/*`, Condition: resource },
                { Sid: "WebTags", Effect: "Allow", Action: ["amplify:TagResource", "amplify:UntagResource", "amplify:ListTagsForResource"], Resource: [apps, `${apps}/branches/*`], Condition: resource },
                { Sid: "WebDomain", Effect: "Allow", Action: ENVIRONMENT_UNBOUND_HOSTING_ACTIONS, Resource: `${apps}/domains/*`, Condition: { StringEquals: { "aws:RequestedRegion": "ap-northeast-1" } } },
                { Sid: "CreateWebSsrLogGroup", Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:TagResource"], Resource: groups, Condition: request },
                {
                    Sid: "WebSsrLogGroup",
                    Effect: "Allow",
                    Action: ["logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:UntagResource", "logs:ListTagsForResource"],
                    Resource: groups,
                    Condition: resource,
                },
            ],
        );
    });
});
