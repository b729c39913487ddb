/**
 * Web hosting and operator access under the mocks, for both stacks with and without `hosting`:
 * the Amplify app and branch, the branch's variables equal to the appEnvironment output, the API's
 * CORS origins, the outputs, and a GitHub token that never reaches an output or the plan text.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { SynthResult } from "../../scripts/lib/synthesize";
import { APP_ENVIRONMENT_NAMES } from "../../builders/appEnvironment";
import { loadIamCatalogue, policyDocumentsOf, verifyPolicyDocument } from "../../scripts/lib/iamCatalogue";
import { find, findAll, json, synth } from "../support/synth";

const ROOT = path.resolve(__dirname, "..", "..");
const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
const TOKEN = "ghp_i14bTestTokenThatMustNeverLeak0123456789";
const REPO = "https://github.com/hwatanabe-jp/stark-ballot-simulator";
const ACCOUNT = "123456789012";
const AMPLIFY_TYPES = ["aws:amplify/app:App", "aws:amplify/branch:Branch", "aws:amplify/domainAssociation:DomainAssociation"];

function hosted(stack: "develop" | "main", hosting: Record<string, unknown>) {
    return synth(stack, {
        configOverrides: { "stark-ballot-simulator:hosting": hosting },
        secrets: { "stark-ballot-simulator:hostingAccessToken": TOKEN },
    });
}
const corsOrigins = (r: SynthResult) => find(r, "aws:apigatewayv2/api:Api", "app-http-api").inputs.corsConfiguration?.allowOrigins;

describe("web hosting and operator access", function () {
    describe("without hosting", () => {
        it("develop and main create no Amplify resource and no web output; the API's CORS is the configured list", async () => {
            const develop = await synth("develop");
            const main = await synth("main");
            for (const r of [develop, main]) {
                for (const type of AMPLIFY_TYPES) assert.equal(findAll(r, type).length, 0, type);
                assert.equal(r.outputs.webUrl, undefined);
                assert.equal(r.outputs.webAppId, undefined);
                assert.equal(r.outputs.webCustomDomainTarget, undefined);
            }
            assert.deepEqual(corsOrigins(develop), ["http://localhost:3000"]);
            // main states [] (no browser client): no CORS configuration at all.
            assert.equal(find(main, "aws:apigatewayv2/api:Api", "app-http-api").inputs.corsConfiguration, undefined);
        });

        it("both stacks export the operators' managed policy, scoped to their bucket's proof prefix", async () => {
            for (const stack of ["develop", "main"] as const) {
                const r = await synth(stack);
                const policy = find(r, "aws:iam/policy:Policy", "operators-bundle-operators");
                const name = `stark-ballot-simulator-bundle-operators-${stack}`;
                assert.equal(policy.inputs.name, name);
                assert.equal(r.outputs.operatorPolicyArn, `arn:aws:iam::${ACCOUNT}:policy/${name}`);
                const bucket = `stark-ballot-simulator-proof-bundles-${stack}-${ACCOUNT}`;
                assert.deepEqual(json(policy, "policy").Statement, [
                    {
                        Sid: "ReadWriteProofObjects",
                        Effect: "Allow",
                        Action: ["s3:GetObject", "s3:GetObjectAttributes", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                        Resource: `arn:aws:s3:::${bucket}/sessions/*`,
                    },
                    { Sid: "ListProofPrefix", Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${bucket}`, Condition: { StringLike: { "s3:prefix": ["sessions/*"] } } },
                ]);
                assert.equal(find(r, "aws:iam/policy:Policy", "operators-bundle-operators").parent, "stark:operators:OperatorAccess::operators");
            }
        });
    });

    describe("develop with hosting and a custom domain", () => {
        let r: SynthResult;
        let appId: string;
        before(async () => {
            r = await hosted("develop", { repository: REPO, customDomain: { domainName: "example.com", prefix: "vote" } });
            appId = String(find(r, "aws:amplify/branch:Branch", "web-branch").inputs.appId);
        });

        it("one WEB_COMPUTE app on the repository, with the logging role and the build spec of the variables", () => {
            for (const type of AMPLIFY_TYPES) assert.equal(findAll(r, type).length, 1, type);
            const app = find(r, "aws:amplify/app:App", "web-app").inputs;
            assert.equal(app.name, "stark-ballot-simulator-web-develop");
            assert.equal(app.repository, REPO);
            assert.equal(app.platform, "WEB_COMPUTE");
            assert.equal(app.iamServiceRoleArn, `arn:aws:iam::${ACCOUNT}:role/stark-ballot-simulator-web-develop`);
            assert.equal(app.environmentVariables, undefined);
            assert.ok(app.buildSpec.includes(`- env | grep -E '^(${[...APP_ENVIRONMENT_NAMES].sort().join("|")})=' >> .env.production\n`));
            assert.match(appId, /^d[0-9a-f]{13}$/);
        });

        it("the token reaches the app only as a secret", () => {
            const token = find(r, "aws:amplify/app:App", "web-app").inputs.accessToken;
            assert.deepEqual(token, { [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE, value: TOKEN });
            assert.ok(!JSON.stringify(r.outputs).includes(TOKEN), "the token reached a stack output");
            for (const resource of r.resources.filter((x) => x.type !== "aws:amplify/app:App")) {
                assert.ok(!JSON.stringify(resource.inputs).includes(TOKEN), `the token reached ${resource.urn}`);
            }
        });

        it("the branch carries exactly the appEnvironment output (one source), builds on push, is a development Next.js SSR branch", () => {
            const branch = find(r, "aws:amplify/branch:Branch", "web-branch").inputs;
            assert.equal(branch.branchName, "develop");
            assert.equal(branch.framework, "Next.js - SSR");
            assert.equal(branch.stage, "DEVELOPMENT");
            assert.equal(branch.enableAutoBuild, true);
            const variables = branch.environmentVariables as Record<string, string>;
            assert.deepEqual(Object.keys(variables).sort(), [...APP_ENVIRONMENT_NAMES].sort());
            assert.equal(variables.API_URL, r.outputs.apiUrl);
            assert.deepEqual(variables, r.outputs.appEnvironment);
        });

        it("the API's CORS: the configured origin, then the branch's default URL and the custom domain", () => {
            assert.deepEqual(corsOrigins(r), ["http://localhost:3000", `https://develop.${appId}.amplifyapp.com`, "https://vote.example.com"]);
        });

        it("the domain maps its prefix to the branch without waiting for DNS; its records are an output", () => {
            const domain = find(r, "aws:amplify/domainAssociation:DomainAssociation", "web-domain").inputs;
            assert.deepEqual(domain.subDomains, [{ branchName: "develop", prefix: "vote" }]);
            assert.equal(domain.waitForVerification, false);
            assert.equal(r.outputs.webUrl, "https://vote.example.com");
            const target = r.outputs.webCustomDomainTarget as { dnsRecord: string; certificateVerificationDnsRecord: string };
            assert.match(target.dnsRecord, /^vote CNAME d[0-9a-f]{13}\.cloudfront\.net$/);
            assert.match(target.certificateVerificationDnsRecord, /^_[0-9a-f]{32}\.example\.com\. CNAME _[0-9a-f]{32}\.acm-validations\.aws\.$/);
        });

        it("the service role trusts Amplify for this account's apps and may only write Amplify's logs; the SSR log group has the stack's retention", () => {
            const role = find(r, "aws:iam/role:Role", "web-service-role");
            assert.deepEqual(json(role, "assumeRolePolicy").Statement[0].Condition, {
                StringEquals: { "aws:SourceAccount": ACCOUNT },
                ArnLike: { "aws:SourceArn": `arn:aws:amplify:ap-northeast-1:${ACCOUNT}:apps/*` },
            });
            assert.deepEqual(
                json(find(r, "aws:iam/rolePolicy:RolePolicy", "web-service-policy"), "policy").Statement.map((s: any) => [s.Sid, s.Action]),
                [
                    ["WriteSsrLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]],
                    ["DescribeLogGroups", "logs:DescribeLogGroups"],
                ],
            );
            const logs = find(r, "aws:cloudwatch/logGroup:LogGroup", "web-ssr-logs");
            assert.equal(logs.inputs.name, `/aws/amplify/${appId}`);
            assert.equal(logs.inputs.retentionInDays, 7);
            assert.equal(logs.protect, false);
        });
    });

    it("every IAM document of a hosted stack passes the IAM catalogue (real actions, no wildcard, no needless *)", async () => {
        await loadIamCatalogue();
        const r = await hosted("develop", { repository: REPO, customDomain: { domainName: "example.com", prefix: "vote" } });
        const documents = r.resources.flatMap((x) => policyDocumentsOf(x.type, x.inputs).map((d) => ({ urn: x.urn, ...d })));
        assert.ok(documents.some((d) => d.urn === "aws:iam/rolePolicy:RolePolicy::web-service-policy"));
        assert.ok(documents.some((d) => d.urn === "aws:iam/policy:Policy::operators-bundle-operators"));
        assert.deepEqual(documents.flatMap((d) => verifyPolicyDocument(d.document).map((p) => `${d.urn} ${d.location}: ${p}`)), []);
    });

    describe("main with hosting, no custom domain", () => {
        let r: SynthResult;
        before(async () => {
            r = await hosted("main", { repository: REPO });
        });

        it("the production branch main; main's explicit [] plus hosting allows exactly the site's origin", () => {
            const branch = find(r, "aws:amplify/branch:Branch", "web-branch").inputs;
            assert.equal(branch.branchName, "main");
            assert.equal(branch.stage, "PRODUCTION");
            assert.deepEqual(branch.environmentVariables, r.outputs.appEnvironment);
            const url = `https://main.${branch.appId}.amplifyapp.com`;
            assert.equal(r.outputs.webUrl, url);
            assert.equal(r.outputs.webAppId, branch.appId);
            assert.deepEqual(corsOrigins(r), [url]);
            assert.equal(findAll(r, "aws:amplify/domainAssociation:DomainAssociation").length, 0);
            assert.equal(r.outputs.webCustomDomainTarget, undefined);
            assert.equal(find(r, "aws:cloudwatch/logGroup:LogGroup", "web-ssr-logs").protect, true);
            assert.ok(!JSON.stringify(r.outputs).includes(TOKEN));
        });
    });

    it("npm run plan with a hosted stack file shows the web app and never its token", function () {
        this.timeout(180_000);
        const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/plan.ts", "develop", "--config-dir", "tests/fixtures/hosting"], {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
            timeout: 170_000,
        });
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, /\nstark:web:WebHosting::web {2}\(6\)\n/);
        assert.match(run.stdout, /aws:amplify\/app:App {2}web-app\n\s+name=stark-ballot-simulator-web-develop {2}repository=https:\/\/github\.com\/hwatanabe-jp\/stark-ballot-simulator {2}platform=WEB_COMPUTE\n/);
        assert.match(run.stdout, /\n {2}webUrl: https:\/\/develop\.example\.com\n/);
        assert.match(run.stdout, /\n {2}operatorPolicyArn: arn:aws:iam::123456789012:policy\/stark-ballot-simulator-bundle-operators-develop\n/);
        assert.match(run.stdout, /\nPolicies: all passed\n/);
        // The stack file's ciphertext stands in for the token offline; it must not be printed.
        assert.ok(!run.stdout.includes("ciphertext"), "the token's stand-in reached the plan text");
    });
});
