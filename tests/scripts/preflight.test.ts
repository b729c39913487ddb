/**
 * `npm run preflight`: every check against mocked AWS answers (aws-sdk-client-mock), each failure
 * with what it found and what to do, only read-only calls, and a clear stop without credentials.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { ECRClient, GetSigningConfigurationCommand } from "@aws-sdk/client-ecr";
import { GetSigningProfileCommand, SignerClient } from "@aws-sdk/client-signer";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { parseSigningProfileArn, signingRuleFor, wildcardMatches } from "../../scripts/lib/preflight";
import { preflightCli } from "../../scripts/lib/preflightCli";

const ROOT = path.resolve(__dirname, "..", "..");
const ACCOUNT = "123456789012";
const REGION = "ap-northeast-1";
const PROFILE_ARN = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/stark_prover`;
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: {} });

describe("npm run preflight", function () {
    this.timeout(60_000);
    let sts: AwsClientStub<STSClient>;
    let lambda: AwsClientStub<LambdaClient>;
    let quotas: AwsClientStub<ServiceQuotasClient>;
    let ecr: AwsClientStub<ECRClient>;
    let signer: AwsClientStub<SignerClient>;
    let dir: string;
    let plainDir: string;
    const signerRegions: string[] = [];

    before(() => {
        sts = mockClient(STSClient);
        lambda = mockClient(LambdaClient);
        quotas = mockClient(ServiceQuotasClient);
        ecr = mockClient(ECRClient);
        signer = mockClient(SignerClient);
        // The develop stack with its three secrets committed (ciphertext stand-ins) and, in `dir`, the
        // dispatch reservation opted in (unreserved concurrency is checked only for a reservation).
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
        plainDir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-plain-"));
        const secrets = ["sessionCapabilitySecret", "voteEncryptionKey", "captchaSecret"].map((k) => `  stark-ballot-simulator:${k}:\n    secure: v1:abc:${k}\n`).join("");
        const committed = `encryptionsalt: v1:c2FsdA==:v1:AA:BB\n${fs.readFileSync(path.join(ROOT, "Pulumi.develop.yaml"), "utf8")}${secrets}`;
        fs.writeFileSync(path.join(plainDir, "Pulumi.develop.yaml"), committed);
        fs.writeFileSync(path.join(dir, "Pulumi.develop.yaml"), `${committed}  stark-ballot-simulator:dispatchReservedConcurrency: 2\n`);
    });
    after(() => {
        for (const m of [sts, lambda, quotas, ecr, signer]) m.restore();
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(plainDir, { recursive: true, force: true });
    });
    beforeEach(() => {
        for (const m of [sts, lambda, quotas, ecr, signer]) m.reset();
        signerRegions.length = 0;
        // A healthy account: every check passes unless a test changes one answer.
        sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/stark-deployer/op`, UserId: "AROA:op" });
        lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
        lambda.on(GetFunctionConcurrencyCommand).rejects(awsError("ResourceNotFoundException", "Function not found"));
        quotas.on(GetServiceQuotaCommand).resolves({ Quota: { QuotaCode: "L-3032A538", Value: 256 } });
        ecr.on(GetSigningConfigurationCommand).resolves({
            registryId: ACCOUNT,
            signingConfiguration: { rules: [{ signingProfileArn: PROFILE_ARN, repositoryFilters: [{ filter: "stark-ballot-simulator-prover-*", filterType: "WILDCARD_MATCH" }] }] },
        });
        signer.on(GetSigningProfileCommand).resolves({ profileName: "stark_prover", status: "Active" });
    });

    const run = (args: string[] = ["develop", "--config-dir", dir], clientRegion: string | undefined = REGION) =>
        preflightCli(args, async (fallbackRegion) => {
            const region = clientRegion ?? fallbackRegion;
            const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "example" };
            return {
                clientRegion,
                clients: {
                    sts: new STSClient({ region, credentials }),
                    lambda: new LambdaClient({ region, credentials }),
                    quotas: new ServiceQuotasClient({ region, credentials }),
                    ecr: new ECRClient({ region, credentials }),
                    signer: (signerRegion) => {
                        signerRegions.push(signerRegion);
                        return new SignerClient({ region: signerRegion, credentials });
                    },
                },
            };
        });
    const line = (out: string, check: string) => out.split("\n").find((l) => l.slice(6).startsWith(check)) ?? "";
    const actionAfter = (out: string, check: string) => {
        const lines = out.split("\n");
        return lines[lines.findIndex((l) => l.slice(6).startsWith(check)) + 1]?.trim() ?? "";
    };

    it("prints each check's result and exits 0 when the account is ready", async () => {
        const r = await run();
        assert.equal(r.code, 0, r.out + r.err);
        assert.equal(
            r.out,
            [
                "Preflight for stack develop:",
                "PASS  region              credentials region ap-northeast-1 = aws:region",
                `PASS  account             caller arn:aws:sts::${ACCOUNT}:assumed-role/stark-deployer/op in account ${ACCOUNT}`,
                "PASS  lambda concurrency  account limit 1000, unreserved 1000; stark-ballot-simulator-prover-dispatch-develop reserves 2 (holds 0 now); 998 would stay unreserved (minimum 100)",
                "PASS  fargate vcpu quota  Fargate On-Demand vCPU quota 256 (applied); a prover task needs 16 vCPU, 2 at once need 32",
                "PASS  image signing       rule for stark-ballot-simulator-prover-develop signs with stark_prover (Active)",
                "PASS  app secrets         sessionCapabilitySecret, voteEncryptionKey, captchaSecret set, encrypted",
                "All checks passed.",
            ].join("\n"),
        );
        assert.deepEqual(signerRegions, [REGION]);
        assert.deepEqual(signer.commandCalls(GetSigningProfileCommand)[0].args[0].input, { profileName: "stark_prover", profileOwner: ACCOUNT });
        assert.deepEqual(quotas.commandCalls(GetServiceQuotaCommand)[0].args[0].input, { ServiceCode: "fargate", QuotaCode: "L-3032A538" });
        assert.deepEqual(lambda.commandCalls(GetFunctionConcurrencyCommand)[0].args[0].input, { FunctionName: "stark-ballot-simulator-prover-dispatch-develop" });
    });

    it("a stack without a reservation needs no unreserved headroom and asks for no function's concurrency", async () => {
        lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
        const r = await run(["develop", "--config-dir", plainDir]);
        assert.equal(r.code, 0, r.out + r.err);
        assert.equal(line(r.out, "lambda concurrency"), "PASS  lambda concurrency  account limit 10, unreserved 10; the stack reserves nothing");
        assert.equal(lambda.commandCalls(GetFunctionConcurrencyCommand).length, 0);
    });

    it("sends only read-only calls", async () => {
        await run();
        const sent = [sts, lambda, quotas, ecr, signer].flatMap((m) => m.calls().map((c) => (c.args[0] as object).constructor.name));
        assert.deepEqual([...new Set(sent)].sort(), [
            "GetAccountSettingsCommand",
            "GetCallerIdentityCommand",
            "GetFunctionConcurrencyCommand",
            "GetServiceQuotaCommand",
            "GetSigningConfigurationCommand",
            "GetSigningProfileCommand",
        ]);
        assert.ok(sent.every((name) => /^Get[A-Za-z]+Command$/.test(name)));
    });

    it("another account: fails and says which credentials to use", async () => {
        sts.on(GetCallerIdentityCommand).resolves({ Account: "210987654321", Arn: "arn:aws:iam::210987654321:user/me" });
        const r = await run();
        assert.equal(r.code, 1);
        assert.equal(line(r.out, "account"), "FAIL  account             caller arn:aws:iam::210987654321:user/me in account 210987654321; aws:allowedAccountIds allows 123456789012");
        assert.equal(actionAfter(r.out, "account"), "→ use credentials for account 123456789012 (e.g. AWS_PROFILE), or correct aws:allowedAccountIds");
        assert.match(r.out, /\n1 check\(s\) failed\.$/);
    });

    it("another region: fails with the export to make", async () => {
        const r = await run(undefined, "us-east-1");
        assert.equal(r.code, 1);
        assert.equal(line(r.out, "region"), "FAIL  region              credentials region us-east-1, aws:region ap-northeast-1");
        assert.equal(actionAfter(r.out, "region"), "→ export AWS_REGION=ap-northeast-1, or change aws:region if the stack belongs in us-east-1");
    });

    it("a new account's Lambda quota of 10 leaves no room for the reservation", async () => {
        lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
        const r = await run();
        assert.equal(r.code, 1);
        assert.equal(
            line(r.out, "lambda concurrency"),
            "FAIL  lambda concurrency  account limit 10, unreserved 10; stark-ballot-simulator-prover-dispatch-develop reserves 2 (holds 0 now); 8 would stay unreserved (minimum 100)",
        );
        assert.equal(actionAfter(r.out, "lambda concurrency"), '→ request the Lambda "Concurrent executions" quota (Service Quotas, lambda L-B99A9384) of at least 102, or deploy without a reservation');
    });

    it("a reservation the function already holds is not counted twice", async () => {
        lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 102, UnreservedConcurrentExecutions: 100 } });
        lambda.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 2 });
        const r = await run();
        assert.match(line(r.out, "lambda concurrency"), /^PASS .*holds 2 now\); 100 would stay unreserved \(minimum 100\)$/);
    });

    it("a Fargate vCPU quota below the stack's maxConcurrentProofs (default 2) prover tasks fails; the flag overrides the count", async () => {
        quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 16 } });
        const r = await run();
        assert.equal(r.code, 1);
        assert.equal(line(r.out, "fargate vcpu quota"), "FAIL  fargate vcpu quota  Fargate On-Demand vCPU quota 16 (applied); a prover task needs 16 vCPU, 2 at once need 32");
        assert.equal(
            actionAfter(r.out, "fargate vcpu quota"),
            '→ request "Fargate On-Demand vCPU resource count" (fargate L-3032A538) of at least 32 in ap-northeast-1: aws service-quotas request-service-quota-increase --service-code fargate --quota-code L-3032A538 --desired-value 32',
        );
        quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 16 } });
        const three = await run(["develop", "--config-dir", dir, "--max-concurrent-proofs", "3"]);
        assert.equal(line(three.out, "fargate vcpu quota"), "FAIL  fargate vcpu quota  Fargate On-Demand vCPU quota 16 (applied); a prover task needs 16 vCPU, 3 at once need 48");
    });

    it("without an applied Fargate quota, the AWS default is read", async () => {
        quotas.on(GetServiceQuotaCommand).rejects(awsError("NoSuchResourceException"));
        quotas.on(GetAWSDefaultServiceQuotaCommand).resolves({ Quota: { Value: 6 } });
        const r = await run();
        assert.equal(line(r.out, "fargate vcpu quota"), "FAIL  fargate vcpu quota  Fargate On-Demand vCPU quota 6 (AWS default); a prover task needs 16 vCPU, 2 at once need 32");
    });

    it("no signing configuration, or no rule for the repository: fails with how to configure it", async () => {
        ecr.on(GetSigningConfigurationCommand).rejects(awsError("SigningConfigurationNotFoundException"));
        const none = await run();
        assert.equal(none.code, 1);
        assert.equal(line(none.out, "image signing"), "FAIL  image signing       the registry has no signing configuration");
        assert.match(actionAfter(none.out, "image signing"), /^→ configure ECR managed signing for the registry with a rule whose repository filter matches stark-ballot-simulator-prover-develop .*Without it every proof stops at the signature check$/);

        ecr.on(GetSigningConfigurationCommand).resolves({ signingConfiguration: { rules: [{ signingProfileArn: PROFILE_ARN, repositoryFilters: [{ filter: "other-*", filterType: "WILDCARD_MATCH" }] }] } });
        const other = await run();
        assert.equal(line(other.out, "image signing"), "FAIL  image signing       none of 1 signing rule(s) matches stark-ballot-simulator-prover-develop");
        assert.equal(signer.calls().length, 0);
    });

    it("a matching rule whose Signer profile is not Active fails", async () => {
        signer.on(GetSigningProfileCommand).resolves({ profileName: "stark_prover", status: "Revoked", statusReason: "key compromised" });
        const r = await run();
        assert.equal(r.code, 1);
        assert.equal(line(r.out, "image signing"), "FAIL  image signing       rule for stark-ballot-simulator-prover-develop signs with stark_prover (Revoked: key compromised)");
    });

    it("secrets missing from the stack file fail with the stack:check pointer", async () => {
        const r = await run(["develop"]);
        assert.equal(r.code, 1);
        assert.equal(line(r.out, "app secrets"), "FAIL  app secrets         not set as secrets: sessionCapabilitySecret, voteEncryptionKey, captchaSecret");
        assert.equal(actionAfter(r.out, "app secrets"), "→ npm run stack:check -- develop prints the commands to set and commit them");
    });

    it("a call the credentials may not make fails that check only, naming the permission", async () => {
        lambda.on(GetAccountSettingsCommand).rejects(awsError("AccessDeniedException", "not authorized to perform: lambda:GetAccountSettings"));
        const r = await run();
        assert.equal(r.code, 1);
        assert.equal(line(r.out, "lambda concurrency"), "FAIL  lambda concurrency  AccessDeniedException: not authorized to perform: lambda:GetAccountSettings");
        assert.equal(actionAfter(r.out, "lambda concurrency"), "→ the credentials must allow lambda:GetAccountSettings and lambda:GetFunctionConcurrency");
        assert.match(line(r.out, "image signing"), /^PASS/);
    });

    it("explains its usage", async () => {
        assert.equal((await run([])).code, 64);
        assert.equal((await run(["develop", "--max-concurrent-proofs", "0"])).code, 64);
    });

    it("without credentials says so and exits 1 (the real command, nothing mocked)", () => {
        const env: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v;
        Object.assign(env, {
            AWS_REGION: REGION,
            AWS_CONFIG_FILE: path.join(dir, "no-config"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
            // No instance metadata lookup: this test sends nothing anywhere.
            AWS_EC2_METADATA_DISABLED: "true",
            TS_NODE_TRANSPILE_ONLY: "true",
        });
        const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/preflight.ts", "develop"], { cwd: ROOT, encoding: "utf8", env, timeout: 60_000 });
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /No AWS credentials found \(CredentialsProviderError: .*\)\. Preflight asks the target account read-only questions with the operator's credentials: set AWS_PROFILE/);
    });
});

describe("preflight rules", () => {
    it("WILDCARD_MATCH: * matches any sequence, everything else itself", () => {
        const cases: Array<[string, string, boolean]> = [
            ["stark-ballot-simulator-prover-develop", "stark-ballot-simulator-prover-develop", true],
            ["stark-ballot-simulator-prover-*", "stark-ballot-simulator-prover-develop", true],
            ["*", "stark-ballot-simulator-prover-main", true],
            ["*prover*", "stark-ballot-simulator-prover-main", true],
            ["*/production", "stark-ballot-simulator-prover-main", false],
            ["stark-ballot-simulator-prover", "stark-ballot-simulator-prover-main", false],
            ["stark.ballot-*", "starkxballot-simulator", false],
            ["team/*", "team/prover", true],
        ];
        for (const [filter, name, expected] of cases) assert.equal(wildcardMatches(filter, name), expected, `${filter} ~ ${name}`);
    });

    it("a rule without filters signs every repository; filters of another type never match", () => {
        assert.equal(signingRuleFor([{ signingProfileArn: "a" }], "x")?.signingProfileArn, "a");
        assert.equal(signingRuleFor([{ signingProfileArn: "a", repositoryFilters: [{ filter: "*", filterType: "OTHER" as "WILDCARD_MATCH" }] }], "x"), undefined);
        assert.equal(signingRuleFor([{ signingProfileArn: "a", repositoryFilters: [{ filter: "y", filterType: "WILDCARD_MATCH" }] }, { signingProfileArn: "b" }], "x")?.signingProfileArn, "b");
    });

    it("reads a Signer profile ARN", () => {
        assert.deepEqual(parseSigningProfileArn(PROFILE_ARN), { region: REGION, account: ACCOUNT, name: "stark_prover" });
        assert.equal(parseSigningProfileArn("arn:aws:signer:us-east-1:123456789012:/signing-jobs/abc"), undefined);
    });
});
