import * as assert from "node:assert/strict";
import { checkLambdaPlaintextSecrets, checkLambdaRuntime } from "../../policy-pack/policies/lambda";

const FUNCTION = "aws:lambda/function:Function";

describe("Lambda policies", () => {
    describe("lambda-supported-runtime", () => {
        const allowed = ["nodejs22.x", "nodejs24.x", "python3.12", "python3.14", "java21", "java25", "dotnet10", "ruby3.3", "ruby3.4", "provided.al2023"];
        for (const runtime of allowed) {
            it(`passes ${runtime}`, () => assert.deepStrictEqual(checkLambdaRuntime(FUNCTION, { runtime }), []));
        }
        const rejected: Array<[string, string]> = [
            ["nodejs18.x", 'runtime "nodejs18.x" is deprecated or out of support; use nodejs22.x or newer'],
            ["nodejs20.x", 'runtime "nodejs20.x" is deprecated or out of support; use nodejs22.x or newer'],
            ["python3.11", 'runtime "python3.11" is deprecated or out of support; use python3.12 or newer'],
            ["python2.7", 'runtime "python2.7" is deprecated or out of support; use python3.12 or newer'],
            ["java17", 'runtime "java17" is deprecated or out of support; use java21 or newer'],
            ["dotnet8", 'runtime "dotnet8" is deprecated or out of support; use dotnet10 or newer'],
            ["ruby3.2", 'runtime "ruby3.2" is deprecated or out of support; use ruby3.3 or newer'],
            ["provided.al2", 'runtime "provided.al2" is not a supported Lambda runtime; use an Amazon Linux 2023 runtime such as nodejs22.x'],
            ["go1.x", 'runtime "go1.x" is not a supported Lambda runtime; use an Amazon Linux 2023 runtime such as nodejs22.x'],
        ];
        for (const [runtime, message] of rejected) {
            it(`reports ${runtime}`, () => assert.deepStrictEqual(checkLambdaRuntime(FUNCTION, { runtime }), [message]));
        }
        it("does not judge container-image functions, and reports a zip function without a runtime", () => {
            assert.deepStrictEqual(checkLambdaRuntime(FUNCTION, { packageType: "Image", imageUri: "repo@sha256:abc" }), []);
            assert.deepStrictEqual(checkLambdaRuntime(FUNCTION, { packageType: "Zip" }), ["function must set a runtime"]);
        });
    });

    describe("lambda-no-plaintext-secrets", () => {
        it("passes references to stored secrets and ordinary settings", () => {
            const variables = { SECRET_PARAMETER_CAPTCHA: "/stark/captcha", PROVER_WORK_QUEUE_URL: "https://sqs", SESSIONS_TABLE: "sessions" };
            assert.deepStrictEqual(checkLambdaPlaintextSecrets(FUNCTION, { environment: { variables } }), []);
            assert.deepStrictEqual(checkLambdaPlaintextSecrets(FUNCTION, {}), []);
        });
        it("reports credential-like variable names", () => {
            const variables = { CAPTCHA_SECRET: "s3cr3t", VOTE_ENCRYPTION_KEY: "k", ENV_NAME: "develop" };
            const advice = "looks like a credential; store it in SSM Parameter Store or Secrets Manager and read it at run time";
            assert.deepStrictEqual(checkLambdaPlaintextSecrets(FUNCTION, { environment: { variables } }), [
                `environment variable "CAPTCHA_SECRET" ${advice}`,
                `environment variable "VOTE_ENCRYPTION_KEY" ${advice}`,
            ]);
        });
    });
});
