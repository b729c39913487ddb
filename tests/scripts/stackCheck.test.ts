import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stackFileReadiness } from "../../scripts/lib/stackCheck";

const ROOT = path.resolve(__dirname, "..", "..");
const READY = `encryptionsalt: v1:c2FsdA==:v1:AAAA:BBBB
config:
  stark-ballot-simulator:environment: develop
  stark-ballot-simulator:sessionCapabilitySecret:
    secure: v1:abc:def
  stark-ballot-simulator:voteEncryptionKey:
    secure: v1:ghi:jkl
  stark-ballot-simulator:captchaSecret:
    secure: v1:mno:pqr
`;

function stackCheck(...args: string[]) {
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/stack-check.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
}

describe("npm run stack:check", function () {
    this.timeout(60_000);

    it("a stack file with encryptionsalt and the three secrets as ciphertext is ready", () => {
        assert.deepEqual(stackFileReadiness("develop", READY), { problems: [], instruction: "" });
    });

    it("names each missing or plain-text secret and a missing salt", () => {
        const plain = READY.replace(/^encryptionsalt:.*\n/, "").replace("  stark-ballot-simulator:captchaSecret:\n    secure: v1:mno:pqr\n", "  stark-ballot-simulator:captchaSecret: hunter2\n");
        const { problems, instruction } = stackFileReadiness("develop", plain);
        assert.deepEqual(problems, [
            "Pulumi.develop.yaml has no encryptionsalt (the passphrase secrets provider's salt): CI cannot decrypt any secret",
            "stark-ballot-simulator:captchaSecret is set in plain text; it must be a secret (secure: ...)",
        ]);
        assert.match(instruction, /\n  pulumi config set --stack develop --secret captchaSecret '<captcha secret>'\n/);
        assert.doesNotMatch(instruction, /voteEncryptionKey/);
    });

    it("a KMS secrets provider needs its encryptedkey instead of a salt", () => {
        const kms = READY.replace(/^encryptionsalt:.*\n/, "secretsprovider: awskms://alias/pulumi?region=ap-northeast-1\n");
        assert.deepEqual(stackFileReadiness("main", kms).problems, ["Pulumi.main.yaml uses secretsprovider awskms://alias/pulumi?region=ap-northeast-1 but has no encryptedkey"]);
        assert.deepEqual(stackFileReadiness("main", `${kms}encryptedkey: AQICAHh...\n`).problems, []);
    });

    it("fails the committed develop stack (exit 1) with the exact instruction", () => {
        const run = stackCheck("develop");
        assert.equal(run.code, 1);
        assert.equal(run.out, "");
        assert.equal(
            run.err,
            [
                "stack:check develop: not ready for CI (4 problems):",
                "  - Pulumi.develop.yaml has no encryptionsalt (the passphrase secrets provider's salt): CI cannot decrypt any secret",
                "  - stark-ballot-simulator:sessionCapabilitySecret is not set",
                "  - stark-ballot-simulator:voteEncryptionKey is not set",
                "  - stark-ballot-simulator:captchaSecret is not set",
                "",
                "Once, on a machine logged in to the stack's backend, with the passphrase CI uses (secrets.PULUMI_CONFIG_PASSPHRASE):",
                "  export PULUMI_CONFIG_PASSPHRASE='<the CI passphrase>'",
                "  pulumi stack select develop --create --secrets-provider passphrase   # writes encryptionsalt to Pulumi.develop.yaml",
                '  pulumi config set --stack develop --secret sessionCapabilitySecret "$(openssl rand -hex 32)"',
                '  pulumi config set --stack develop --secret voteEncryptionKey "$(openssl rand -hex 32)"',
                "  pulumi config set --stack develop --secret captchaSecret '<captcha secret>'",
                'then commit Pulumi.develop.yaml with its "encryptionsalt: v1:..." line and the "secure: v1:..." values:',
                '  git add Pulumi.develop.yaml && git commit -m "develop: secrets (encrypted)"',
                "Both are ciphertext, safe to commit; only the passphrase decrypts them. Never commit the passphrase.",
                "",
            ].join("\n"),
        );
    });

    it("passes a ready stack file (exit 0), refuses a missing one and explains its usage", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-check-"));
        fs.writeFileSync(path.join(dir, "Pulumi.ready.yaml"), READY);
        const ready = stackCheck("ready", "--config-dir", dir);
        const missing = stackCheck("absent", "--config-dir", dir);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(ready.code, 0, ready.err);
        assert.equal(ready.out, "stack:check ready: ready (encryptionsalt and the three application secrets are committed, encrypted)\n");
        assert.equal(missing.code, 1);
        assert.match(missing.err, /^stack:check: no stack file .*Pulumi\.absent\.yaml\n$/);
        const usage = stackCheck();
        assert.equal(usage.code, 64);
        assert.match(usage.err, /usage: npm run stack:check -- <stack>/);
    });
});
