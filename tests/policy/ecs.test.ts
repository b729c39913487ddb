import * as assert from "node:assert/strict";
import { looksLikeCredentialName } from "../../policy-pack/lib/credentials";
import { ROOT_MUST_DROP, checkAwsLogs, checkNonRootUser, checkNoPlaintextSecrets, checkReadonlyRootFilesystem } from "../../policy-pack/policies/ecs";
import { proverContainer, taskDefinitionProps } from "./support/fixtures";

const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const checks = [checkAwsLogs, checkNonRootUser, checkReadonlyRootFilesystem, checkNoPlaintextSecrets];
const judge = (check: (typeof checks)[number], ...containers: Record<string, unknown>[]) => check(TASK, taskDefinitionProps(...containers));

describe("ECS task definition policies", () => {
    it("pass the hardened prover container", () => {
        for (const check of checks) assert.deepStrictEqual(judge(check, proverContainer()), []);
    });

    it("report a definition that is not a JSON list of containers, once per policy", () => {
        for (const check of checks) {
            assert.deepStrictEqual(check(TASK, { containerDefinitions: "{" }), ["containerDefinitions is not a JSON list of containers"]);
            assert.deepStrictEqual(check(TASK, { containerDefinitions: '{"name":"x"}' }), ["containerDefinitions is not a JSON list of containers"]);
        }
    });

    describe("ecs-task-awslogs", () => {
        it("reports another log driver, no log configuration, or no log group", () => {
            const sidecar = proverContainer({ name: "sidecar", logConfiguration: { logDriver: "json-file" } });
            const silent = proverContainer({ name: "silent", logConfiguration: undefined });
            const nowhere = proverContainer({ name: "nowhere", logConfiguration: { logDriver: "awslogs", options: {} } });
            assert.deepStrictEqual(judge(checkAwsLogs, proverContainer(), sidecar, silent, nowhere), [
                'container "sidecar" must send its logs to a log group with the awslogs log driver',
                'container "silent" must send its logs to a log group with the awslogs log driver',
                'container "nowhere" must send its logs to a log group with the awslogs log driver',
            ]);
        });
    });

    describe("ecs-task-non-root-user", () => {
        const cases: Array<[string | undefined, boolean]> = [
            ["10001:10001", true],
            ["prover", true],
            ["root", false],
            ["0", false],
            ["0:0", false],
            ["root:wheel", false],
            ["", false],
            [undefined, false],
        ];
        const rootMessage = (missing?: string) =>
            'container "prover" must run as a non-root user (set "user"), or as root only to start its workload as one: ' +
            `drop ${ROOT_MUST_DROP.join(", ")}, add none, and set a non-root ZKVM_HOST_USER` +
            (missing === undefined ? "" : ` (not dropped: ${missing})`);
        for (const [user, allowed] of cases) {
            it(`user ${JSON.stringify(user)} (no capabilities dropped) -> ${allowed ? "passes" : "reported"}`, () => {
                const root = user !== undefined && user !== "" && !allowed;
                assert.deepStrictEqual(
                    judge(checkNonRootUser, proverContainer({ user, linuxParameters: undefined })),
                    allowed ? [] : [root ? rootMessage(ROOT_MUST_DROP.join(", ")) : 'container "prover" must run as a non-root user (set "user")'],
                );
            });
        }

        const hostUser = { name: "ZKVM_HOST_USER", value: "10001:10001" };
        const dropAll = { capabilities: { drop: [...ROOT_MUST_DROP] } };
        it("root passes only with every listed default capability dropped, none added, and a non-root ZKVM_HOST_USER", () => {
            assert.deepStrictEqual(judge(checkNonRootUser, proverContainer({ user: "0:0", linuxParameters: dropAll, environment: [hostUser] })), []);
            assert.deepStrictEqual(
                judge(checkNonRootUser, proverContainer({ user: "0:0", linuxParameters: { capabilities: { drop: ROOT_MUST_DROP.filter((c) => c !== "DAC_OVERRIDE") } }, environment: [hostUser] })),
                [rootMessage("DAC_OVERRIDE")],
            );
            assert.deepStrictEqual(
                judge(checkNonRootUser, proverContainer({ user: "0:0", linuxParameters: { capabilities: { drop: [...ROOT_MUST_DROP], add: ["SYS_PTRACE"] } }, environment: [hostUser] })),
                [rootMessage()],
            );
            for (const value of ["0:0", "10001:0", "nobody", ""]) {
                assert.deepStrictEqual(judge(checkNonRootUser, proverContainer({ user: "0:0", linuxParameters: dropAll, environment: [{ name: "ZKVM_HOST_USER", value }] })), [rootMessage()], value);
            }
            assert.deepStrictEqual(judge(checkNonRootUser, proverContainer({ user: "root", linuxParameters: dropAll, environment: [] })), [rootMessage()]);
        });
    });

    describe("ecs-task-read-only-root-filesystem", () => {
        it("reports a writable or unset root filesystem", () => {
            const message = 'container "prover" must set readonlyRootFilesystem: true';
            assert.deepStrictEqual(judge(checkReadonlyRootFilesystem, proverContainer({ readonlyRootFilesystem: false })), [message]);
            assert.deepStrictEqual(judge(checkReadonlyRootFilesystem, proverContainer({ readonlyRootFilesystem: undefined })), [message]);
        });
    });

    describe("ecs-task-no-plaintext-secrets", () => {
        it("reports credential-like variable names, and only those", () => {
            const environment = [
                { name: "S3_PROOF_BUCKET", value: "b" },
                { name: "INPUT_S3_KEY", value: "k" },
                { name: "DB_PASSWORD", value: "hunter2" },
                { name: "AWS_SECRET_ACCESS_KEY", value: "x" },
                { name: "GITHUB_TOKEN", value: "x" },
                { name: "SECRET_PARAMETER_CAPTCHA", value: "/stark/captcha" },
            ];
            const advice = 'in plain environment; use "secrets" (Secrets Manager or SSM Parameter Store)';
            assert.deepStrictEqual(judge(checkNoPlaintextSecrets, proverContainer({ environment })), [
                `container "prover" passes credential-like variable "DB_PASSWORD" ${advice}`,
                `container "prover" passes credential-like variable "AWS_SECRET_ACCESS_KEY" ${advice}`,
                `container "prover" passes credential-like variable "GITHUB_TOKEN" ${advice}`,
            ]);
        });
    });
});

describe("looksLikeCredentialName", () => {
    const cases: Array<[string, boolean]> = [
        ["PASSWORD", true],
        ["db_password", true],
        ["API_KEY", true],
        ["APIKEY", true],
        ["AWS_ACCESS_KEY_ID", false], // an id is not the secret half; the pair is caught by AWS_SECRET_ACCESS_KEY
        ["PRIVATE_KEY", true],
        ["VOTE_ENCRYPTION_KEY", true],
        ["SESSION_TOKEN", true],
        ["CLIENT_CREDENTIALS", true],
        ["INPUT_S3_KEY", false],
        ["RATE_LIMIT_KEY_TABLE", false],
        ["SECRET_PARAMETER_VOTE_ENCRYPTION_KEY", false],
        ["DB_PASSWORD_ARN", false],
        ["TOKEN_SSM_PATH", false],
        ["ENV_NAME", false],
    ];
    for (const [name, credential] of cases) {
        it(`${name} -> ${credential}`, () => assert.strictEqual(looksLikeCredentialName(name), credential));
    }
});
