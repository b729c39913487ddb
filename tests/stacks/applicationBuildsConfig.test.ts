/** The `applicationBuilds` config key: parsed into settings, every problem named with its key. */
import * as assert from "node:assert/strict";
import { RawStackConfig, StackConfigError, parseStackConfig } from "../../stacks/config";

const DIGEST = "a".repeat(64);
const KEY = "stark-ballot-simulator:applicationBuilds";

function raw(project: Record<string, unknown>): RawStackConfig {
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

function problems(project: Record<string, unknown>): string[] {
    try {
        parseStackConfig(raw(project));
    } catch (e) {
        assert.ok(e instanceof StackConfigError);
        return [...e.problems];
    }
    assert.fail("accepted");
}

describe("config: applicationBuilds", () => {
    it("absent: no application builds (the reference handlers run)", () => {
        assert.equal(parseStackConfig(raw({})).applicationBuilds, undefined);
    });

    it("parses builds for the three functions", () => {
        const builds = {
            api: { path: "../app/build/hono-api.zip", handler: "amplify/functions/hono-api/handler.handler" },
            proverDispatch: { path: "../app/build/dispatch", handler: "handler.handler" },
            finalizeCallback: { path: "../app/build/finalize", handler: "index.handler" },
        };
        assert.deepEqual(parseStackConfig(raw({ applicationBuilds: builds })).applicationBuilds, builds);
    });

    it("reports every problem at once, each with its key and rule", () => {
        assert.deepEqual(
            problems({
                applicationBuilds: {
                    api: { path: "", handler: "handler" },
                    proverDispatch: { path: "x", handler: "../up.handler", memory: 1 },
                    verifierRunner: { path: "v", handler: "index.handler" },
                    finalizeCallback: "dist",
                    prover: { path: "p", handler: "index.handler" },
                },
            }),
            [
                `${KEY}.api.path: required: a directory or .zip of the application's build`,
                `${KEY}.api.handler: must be <module path>.<export> inside the build, e.g. amplify/functions/hono-api/handler.handler, got "handler"`,
                `${KEY}.proverDispatch.memory: unknown key (allowed: path, handler)`,
                `${KEY}.proverDispatch.handler: must be <module path>.<export> inside the build, e.g. amplify/functions/hono-api/handler.handler, got "../up.handler"`,
                `${KEY}.finalizeCallback: must be {path, handler}`,
                `${KEY}.prover: unknown function; allowed: api, proverDispatch, finalizeCallback, verifierRunner`,
                `${KEY}.verifierRunner: requires the verifier step: set verifier {layer, architecture, imageId} as well`,
            ],
        );
        assert.deepEqual(problems({ applicationBuilds: ["api"] }), [`${KEY}: must be an object {api, proverDispatch, finalizeCallback, verifierRunner} of {path, handler}`]);
    });

    it("verifierRunner only with the verifier step", () => {
        const verifierRunner = { path: "../app/build/verifier", handler: "amplify/functions/verifier-service-runner/handler.handler" };
        const verifier = { layer: "tests/fixtures/verifier-layer", architecture: "arm64", imageId: "5a".repeat(32) };
        assert.deepEqual(parseStackConfig(raw({ verifier, applicationBuilds: { verifierRunner } })).applicationBuilds, { verifierRunner });
        assert.deepEqual(problems({ applicationBuilds: { verifierRunner } }), [
            `${KEY}.verifierRunner: requires the verifier step: set verifier {layer, architecture, imageId} as well`,
        ]);
    });

    it("apiHandlerPath and applicationBuilds.api exclude each other", () => {
        assert.deepEqual(problems({ apiHandlerPath: "build/api", applicationBuilds: { api: { path: "a", handler: "index.handler" } } }), [
            `${KEY}.api: set either apiHandlerPath or applicationBuilds.api, not both (both name the api function's code)`,
        ]);
        assert.deepEqual(parseStackConfig(raw({ apiHandlerPath: "build/api", applicationBuilds: { proverDispatch: { path: "d", handler: "index.handler" } } })).applicationBuilds, {
            proverDispatch: { path: "d", handler: "index.handler" },
        });
    });
});
