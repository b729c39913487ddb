/** Pure rules of web hosting: the `hosting` value, origins, CORS, variables, build spec, IAM. */
import * as assert from "node:assert/strict";
import {
    amplifyServiceTrustPolicy,
    amplifySsrLoggingPolicy,
    amplifyVariableProblems,
    branchStage,
    combinedCorsOrigins,
    toWebHosting,
    webBuildSpec,
    webHostingProblems,
    webOrigins,
    webUrl,
} from "../../builders/webHosting";
import { APP_ENVIRONMENT_NAMES } from "../../builders/appEnvironment";

const KEY = "stark-ballot-simulator:hosting";
const REPO = "https://github.com/hwatanabe-jp/stark-ballot-simulator";
const CTX = { partition: "aws", region: "ap-northeast-1", accountId: "123456789012" };

describe("web hosting settings", () => {
    describe("webHostingProblems", () => {
        const cases: Array<[string, unknown, string[]]> = [
            ["unset", undefined, []],
            ["repository only", { repository: REPO }, []],
            ["branch and custom domain", { repository: REPO, branch: "release-2", customDomain: { domainName: "example.com", prefix: "vote" } }, []],
            ["apex custom domain", { repository: REPO, customDomain: { domainName: "example.com", prefix: "" } }, []],
            ["not an object", "https://github.com/a/b", [`${KEY}: must be an object {repository, branch, customDomain}`]],
            [
                "not GitHub",
                { repository: "https://gitlab.com/a/b" },
                [`${KEY}.repository: "https://gitlab.com/a/b" must be a GitHub repository URL https://github.com/<owner>/<repo> (the access token is a GitHub token for the Amplify GitHub App)`],
            ],
            [
                "placeholder repository and a branch that is no DNS label",
                { repository: "https://github.com/<owner>/<repo>", branch: "feature/x" },
                [
                    `${KEY}.repository: "https://github.com/<owner>/<repo>" must be a GitHub repository URL https://github.com/<owner>/<repo> (the access token is a GitHub token for the Amplify GitHub App)`,
                    `${KEY}.branch: "feature/x" must be 1-63 lower-case letters, digits and inner hyphens: it is also the host label of the branch's URL https://<branch>.<app domain>, the origin the API's CORS allows`,
                ],
            ],
            [
                "unknown keys and a bad domain",
                { repository: REPO, platform: "WEB", customDomain: { domainName: "Example.COM", prefix: "a.b", zone: "x" } },
                [
                    `${KEY}.platform: unknown key (allowed: repository, branch, customDomain)`,
                    `${KEY}.customDomain.zone: unknown key (allowed: domainName, prefix)`,
                    `${KEY}.customDomain.domainName: "Example.COM" is not a lower-case DNS name such as example.com`,
                    `${KEY}.customDomain.prefix: "a.b" must be "" (the domain itself) or one lower-case DNS label such as app`,
                ],
            ],
        ];
        for (const [label, value, expected] of cases) {
            it(label, () => assert.deepEqual(webHostingProblems(value, KEY), expected));
        }
    });

    it("toWebHosting defaults the branch to the environment and the prefix to the domain itself", () => {
        assert.deepEqual(toWebHosting({ repository: REPO }, "main"), { repository: REPO, branch: "main" });
        assert.deepEqual(toWebHosting({ repository: REPO, branch: "web", customDomain: { domainName: "example.com" } }, "develop"), {
            repository: REPO,
            branch: "web",
            customDomain: { domainName: "example.com", prefix: "" },
        });
        assert.equal(toWebHosting(undefined, "develop"), undefined);
    });

    it("main's branch is production, any other development", () => {
        assert.equal(branchStage("main"), "PRODUCTION");
        assert.equal(branchStage("develop"), "DEVELOPMENT");
    });

    it("origins: the branch's default URL, then the custom domain; the URL prefers the custom domain", () => {
        assert.deepEqual(webOrigins("develop", "d1abc.amplifyapp.com"), ["https://develop.d1abc.amplifyapp.com"]);
        assert.deepEqual(webOrigins("main", "d1abc.amplifyapp.com", { domainName: "example.com", prefix: "" }), [
            "https://main.d1abc.amplifyapp.com",
            "https://example.com",
        ]);
        assert.equal(webUrl("main", "d1abc.amplifyapp.com", { domainName: "example.com", prefix: "vote" }), "https://vote.example.com");
        assert.equal(webUrl("develop", "d1abc.amplifyapp.com"), "https://develop.d1abc.amplifyapp.com");
    });

    it("CORS: configured origins first, hosted origins added once; an explicit [] in main allows only the site", () => {
        assert.deepEqual(combinedCorsOrigins(["http://localhost:3000"], ["https://develop.d1.amplifyapp.com"]), ["http://localhost:3000", "https://develop.d1.amplifyapp.com"]);
        assert.deepEqual(combinedCorsOrigins(["https://example.com"], ["https://main.d1.amplifyapp.com", "https://example.com"]), [
            "https://example.com",
            "https://main.d1.amplifyapp.com",
        ]);
        assert.deepEqual(combinedCorsOrigins([], ["https://main.d1.amplifyapp.com"]), ["https://main.d1.amplifyapp.com"]);
    });

    it("variables Amplify refuses: an AWS prefix (any case) and values over 5500 characters", () => {
        assert.deepEqual(amplifyVariableProblems({ API_URL: "https://x", AWS_REGION: "ap-northeast-1", awsThing: "a", BIG: "x".repeat(5501), OK: "x".repeat(5500) }), [
            "AWS_REGION: Amplify reserves environment variable names starting with AWS",
            "awsThing: Amplify reserves environment variable names starting with AWS",
            "BIG: 5501 characters, Amplify accepts at most 5500",
        ]);
        assert.deepEqual(amplifyVariableProblems(Object.fromEntries(APP_ENVIRONMENT_NAMES.map((n) => [n, "v"]))), []);
    });

    it("the build writes exactly the named variables to .env.production before building", () => {
        const spec = webBuildSpec(["S3_PROOF_BUCKET", "API_URL"]);
        assert.equal(
            spec,
            [
                "version: 1",
                "frontend:",
                "  phases:",
                "    preBuild:",
                "      commands:",
                "        - npm ci",
                "    build:",
                "      commands:",
                "        - env | grep -E '^(API_URL|S3_PROOF_BUCKET)=' >> .env.production",
                "        - npm run build",
                "  artifacts:",
                "    baseDirectory: .next",
                "    files:",
                "      - '**/*'",
                "  cache:",
                "    paths:",
                "      - node_modules/**/*",
                "      - .next/cache/**/*",
                "",
            ].join("\n"),
        );
        // The anchored pattern selects whole names: a longer name sharing a prefix is not written.
        const pattern = new RegExp(/'(\^\(.*\)=)'/.exec(spec)![1]);
        assert.ok(pattern.test("API_URL=https://x"));
        assert.ok(!pattern.test("API_URL_EXTRA=https://x"));
        assert.ok(!pattern.test("MY_API_URL=https://x"));
        assert.throws(() => webBuildSpec(["API_URL", "bad name'"]), /not environment variable names: bad name'/);
    });

    it("service role: Amplify only, for this account's apps in this region", () => {
        assert.deepEqual(amplifyServiceTrustPolicy(CTX), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AllowAmplifyAssumeRole",
                    Effect: "Allow",
                    Principal: { Service: "amplify.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        StringEquals: { "aws:SourceAccount": "123456789012" },
                        ArnLike: { "aws:SourceArn": "arn:aws:amplify:ap-northeast-1:123456789012:apps/*" },
                    },
                },
            ],
        });
    });

    it("SSR logging: the four documented actions, on Amplify's log groups of this account and region", () => {
        assert.deepEqual(amplifySsrLoggingPolicy(CTX).Statement, [
            {
                Sid: "WriteSsrLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: [
                    "arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/amplify/*",
                    "arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/amplify/*:log-stream:*",
                ],
            },
            { Sid: "DescribeLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "arn:aws:logs:ap-northeast-1:123456789012:log-group:*" },
        ]);
    });
});
