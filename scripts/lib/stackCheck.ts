/**
 * Whether a committed stack file is ready for CI: the passphrase provider's `encryptionsalt` line and
 * the three application secrets as `secure:` ciphertext. Without them the CI preview stops on
 * missing configuration (or asks for a passphrase it cannot type), far from the cause.
 *
 * Stack settings file attributes: https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/
 * (`encryptionsalt`: "The stack's base64 encoded encryption salt. Only used for passphrase-based
 * secrets providers"; `encryptedkey` plays that part for cloud KMS providers).
 * Pure: takes the file's text, returns problems and the instruction.
 */
import * as yaml from "js-yaml";
import { PROJECT_NAME } from "../../builders/names";
import { SECRET_CONFIG_KEYS } from "../../stacks/config";

export interface StackFileReadiness {
    problems: string[];
    /** What the operator runs and commits; empty when ready. */
    instruction: string;
}

const isSecure = (value: unknown) => typeof value === "object" && value !== null && typeof (value as { secure?: unknown }).secure === "string";

export function stackFileReadiness(stack: string, text: string): StackFileReadiness {
    let parsed: Record<string, unknown>;
    try {
        parsed = (yaml.load(text) ?? {}) as Record<string, unknown>;
    } catch (e) {
        return { problems: [`Pulumi.${stack}.yaml is not valid YAML: ${(e as Error).message.split("\n")[0]}`], instruction: "" };
    }
    const problems: string[] = [];
    const provider = typeof parsed.secretsprovider === "string" ? parsed.secretsprovider : "passphrase";
    const usesPassphrase = provider === "passphrase";
    if (usesPassphrase && typeof parsed.encryptionsalt !== "string") {
        problems.push(`Pulumi.${stack}.yaml has no encryptionsalt (the passphrase secrets provider's salt): CI cannot decrypt any secret`);
    }
    if (!usesPassphrase && typeof parsed.encryptedkey !== "string") {
        problems.push(`Pulumi.${stack}.yaml uses secretsprovider ${provider} but has no encryptedkey`);
    }
    const config = (parsed.config ?? {}) as Record<string, unknown>;
    const missingSecrets: string[] = [];
    for (const key of SECRET_CONFIG_KEYS) {
        const value = config[`${PROJECT_NAME}:${key}`];
        if (value === undefined) {
            problems.push(`${PROJECT_NAME}:${key} is not set`);
            missingSecrets.push(key);
        } else if (!isSecure(value)) {
            problems.push(`${PROJECT_NAME}:${key} is set in plain text; it must be a secret (secure: ...)`);
            missingSecrets.push(key);
        }
    }
    if (problems.length === 0) return { problems, instruction: "" };
    const generated: Record<string, string> = {
        sessionCapabilitySecret: '"$(openssl rand -hex 32)"',
        voteEncryptionKey: '"$(openssl rand -hex 32)"',
        captchaSecret: "'<captcha secret>'",
    };
    const setLines = (missingSecrets.length > 0 ? missingSecrets : [...SECRET_CONFIG_KEYS]).map(
        (key) => `  pulumi config set --stack ${stack} --secret ${key} ${generated[key]}`,
    );
    const instruction = [
        `Once, on a machine logged in to the stack's backend, with the passphrase CI uses (secrets.PULUMI_CONFIG_PASSPHRASE):`,
        `  export PULUMI_CONFIG_PASSPHRASE='<the CI passphrase>'`,
        `  pulumi stack select ${stack} --create --secrets-provider passphrase   # writes encryptionsalt to Pulumi.${stack}.yaml`,
        ...setLines,
        `then commit Pulumi.${stack}.yaml with its "encryptionsalt: v1:..." line and the "secure: v1:..." values:`,
        `  git add Pulumi.${stack}.yaml && git commit -m "${stack}: secrets (encrypted)"`,
        `Both are ciphertext, safe to commit; only the passphrase decrypts them. Never commit the passphrase.`,
    ].join("\n");
    return { problems, instruction };
}
