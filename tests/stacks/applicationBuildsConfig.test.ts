/** The `applicationBuilds` config key: parsed into settings, every problem named with its key. */
import * as assert from "node:assert/strict";
import { parseStackConfig } from "../../stacks/config";
import { problemsOf, rawDevelop } from "./support/rawConfig";

const KEY = "stark-ballot-simulator:applicationBuilds";


describe("config: applicationBuilds", () => {
    it("absent: no application builds (the reference handlers run)", () => {
        assert.equal(parseStackConfig(rawDevelop({})).applicationBuilds, undefined);
    });

    it("parses builds for the three functions", () => {
        const builds = {
            api: { path: "../app/build/hono-api.zip", handler: "amplify/functions/hono-api/handler.handler" },
            proverDispatch: { path: "../app/build/dispatch", handler: "handler.handler" },
            finalizeCallback: { path: "../app/build/finalize", handler: "index.handler" },
        };
        assert.deepEqual(parseStackConfig(rawDevelop({ applicationBuilds: builds })).applicationBuilds, builds);
    });

    it("reports every problem at once, each with its key and rule", () => {
        assert.deepEqual(
            problemsOf({
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
        assert.deepEqual(problemsOf({ applicationBuilds: ["api"] }), [`${KEY}: must be an object {api, proverDispatch, finalizeCallback, verifierRunner} of {path, handler}`]);
    });

    it("verifierRunner only with the verifier step", () => {
        const verifierRunner = { path: "../app/build/verifier", handler: "amplify/functions/verifier-service-runner/handler.handler" };
        const verifier = { layer: "tests/fixtures/verifier-layer", architecture: "arm64", imageId: "5a".repeat(32) };
        assert.deepEqual(parseStackConfig(rawDevelop({ verifier, applicationBuilds: { verifierRunner } })).applicationBuilds, { verifierRunner });
        assert.deepEqual(problemsOf({ applicationBuilds: { verifierRunner } }), [
            `${KEY}.verifierRunner: requires the verifier step: set verifier {layer, architecture, imageId} as well`,
        ]);
    });

    it("verifierRunner needs a non-empty proofPrefix (the application's runner reads S3_PROOF_PREFIX || 'sessions/')", () => {
        const verifierRunner = { path: "../app/build/verifier", handler: "amplify/functions/verifier-service-runner/handler.handler" };
        const verifier = { layer: "tests/fixtures/verifier-layer", architecture: "arm64", imageId: "5a".repeat(32) };
        assert.deepEqual(problemsOf({ verifier, proofPrefix: "", applicationBuilds: { verifierRunner } }), [
            `${KEY}.verifierRunner: requires a non-empty proofPrefix: the application's runner replaces "" with "sessions/"`,
        ]);
        assert.equal(parseStackConfig(rawDevelop({ verifier, proofPrefix: "proofs/", applicationBuilds: { verifierRunner } })).proofPrefix, "proofs/");
        // The reference runner takes the prefix as it is.
        assert.equal(parseStackConfig(rawDevelop({ verifier, proofPrefix: "" })).proofPrefix, "");
    });

    it("apiHandlerPath and applicationBuilds.api exclude each other", () => {
        assert.deepEqual(problemsOf({ apiHandlerPath: "build/api", applicationBuilds: { api: { path: "a", handler: "index.handler" } } }), [
            `${KEY}.api: set either apiHandlerPath or applicationBuilds.api, not both (both name the api function's code)`,
        ]);
        assert.deepEqual(parseStackConfig(rawDevelop({ apiHandlerPath: "build/api", applicationBuilds: { proverDispatch: { path: "d", handler: "index.handler" } } })).applicationBuilds, {
            proverDispatch: { path: "d", handler: "index.handler" },
        });
    });
});
