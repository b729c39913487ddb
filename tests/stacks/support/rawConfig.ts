/** A valid develop stack's raw configuration with project keys added, and the problems a config yields. */
import * as assert from "node:assert/strict";
import { RawStackConfig, StackConfigError, parseStackConfig } from "../../../stacks/config";

const DIGEST = "a".repeat(64);

export function rawDevelop(project: Record<string, unknown>): RawStackConfig {
    return {
        stack: "test",
        project: {
            environment: "develop",
            proverImage: { uri: `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/stark-ballot-simulator-prover-develop@sha256:${DIGEST}` },
            ...project,
        },
        aws: {
            region: "ap-northeast-1",
            allowedAccountIds: ["123456789012"],
            defaultTags: { tags: { Project: "stark-ballot-simulator", Environment: "develop", ManagedBy: "Pulumi" } },
        },
        secretsPresent: ["sessionCapabilitySecret", "voteEncryptionKey", "captchaSecret"],
    };
}

/** Every problem `parseStackConfig` reports for the develop config with these keys; fails when it accepts. */
export function problemsOf(project: Record<string, unknown>): string[] {
    try {
        parseStackConfig(rawDevelop(project));
    } catch (e) {
        assert.ok(e instanceof StackConfigError);
        return [...e.problems];
    }
    assert.fail("accepted");
}
