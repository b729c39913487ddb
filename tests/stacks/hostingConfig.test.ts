/** `hosting` and its secret `hostingAccessToken` in the stack configuration. */
import * as assert from "node:assert/strict";
import { RawStackConfig, StackConfigError, parseStackConfig } from "../../stacks/config";

const REPO = "https://github.com/hwatanabe-jp/stark-ballot-simulator";
const APP_SECRETS = ["sessionCapabilitySecret", "voteEncryptionKey", "captchaSecret"];

function raw(project: Record<string, unknown>, secretsPresent: string[] = APP_SECRETS, environment = "develop"): RawStackConfig {
    return {
        stack: environment,
        project: {
            environment,
            proverImage: { uri: `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/stark-ballot-simulator-prover-${environment}@sha256:${"a".repeat(64)}` },
            ...(environment === "main" ? { apiCorsOrigins: [], bundleCorsOrigins: [] } : {}),
            ...project,
        },
        aws: {
            region: "ap-northeast-1",
            allowedAccountIds: ["123456789012"],
            defaultTags: { tags: { Project: "stark-ballot-simulator", Environment: environment, ManagedBy: "Pulumi" } },
        },
        secretsPresent,
    };
}

function problems(r: RawStackConfig): string[] {
    try {
        parseStackConfig(r);
    } catch (e) {
        assert.ok(e instanceof StackConfigError);
        return [...e.problems];
    }
    assert.fail("configuration was accepted");
}

describe("stack configuration: hosting", () => {
    it("absent by default", () => {
        assert.equal(parseStackConfig(raw({})).hosting, undefined);
    });

    it("with its secret token: the branch defaults to the stack's environment", () => {
        const s = parseStackConfig(raw({ hosting: { repository: REPO } }, [...APP_SECRETS, "hostingAccessToken"], "main"));
        assert.deepEqual(s.hosting, { repository: REPO, branch: "main" });
    });

    it("hosting without the token names the secret and how to set it", () => {
        assert.deepEqual(problems(raw({ hosting: { repository: REPO } })), [
            "stark-ballot-simulator:hostingAccessToken: required with hosting: a GitHub personal access token for the Amplify GitHub App (pulumi config set --secret hostingAccessToken <token>)",
        ]);
    });

    it("a token in plain text is refused, with or without hosting", () => {
        const expected = ["stark-ballot-simulator:hostingAccessToken: is stored in plain text: set it with pulumi config set --secret hostingAccessToken <GitHub token>"];
        assert.deepEqual(problems(raw({ hosting: { repository: REPO }, hostingAccessToken: "ghp_x" })), expected);
        assert.deepEqual(problems(raw({ hostingAccessToken: "ghp_x" })), expected);
    });

    it("a token without hosting is reported (it would be unused)", () => {
        assert.deepEqual(problems(raw({}, [...APP_SECRETS, "hostingAccessToken"])), [
            "stark-ballot-simulator:hostingAccessToken: is set but hosting is not: set hosting or remove the token (pulumi config rm hostingAccessToken)",
        ]);
    });

    it("hosting's own problems are listed with every other problem", () => {
        assert.deepEqual(problems(raw({ hosting: { repository: "git@github.com:a/b.git", branch: "Main" }, networkMode: "nat" }, [...APP_SECRETS, "hostingAccessToken"])), [
            'stark-ballot-simulator:networkMode: must be "public" or "private", got "nat"',
            'stark-ballot-simulator:hosting.repository: "git@github.com:a/b.git" must be a GitHub repository URL https://github.com/<owner>/<repo> (the access token is a GitHub token for the Amplify GitHub App)',
            'stark-ballot-simulator:hosting.branch: "Main" must be 1-63 lower-case letters, digits and inner hyphens: it is also the host label of the branch\'s URL https://<branch>.<app domain>, the origin the API\'s CORS allows',
        ]);
    });
});
