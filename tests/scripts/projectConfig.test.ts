/**
 * Pulumi.yaml's `config:` block under the CLI's rules (scripts/lib/projectConfig.ts), offline: a
 * declared key without a default is required, declared types are checked, defaults reach the program.
 * Messages are the CLI's own (pulumi/pulumi pkg/workspace/config.go, sdk/go/common/workspace/project.go).
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { readStackFile, synthesizeStack } from "../../scripts/lib/synthesize";
import { CONFIG_KEYS } from "../../stacks/config";
import { APP_API_DEFAULTS } from "../../builders/appApiSettings";
import { PIPELINE_DEFAULTS } from "../../builders/proverPipelineSettings";
import {
    ProjectFile,
    applyProjectConfig,
    declarationProblems,
    missingKeysMessage,
    readProjectFile,
    valueHasType,
} from "../../scripts/lib/projectConfig";

const ROOT = path.resolve(__dirname, "..", "..");
const project = (config: string): ProjectFile => ({ name: "proj", config: (yaml.load(config) as ProjectFile["config"]) ?? {} });
const stackValues = (config: Record<string, string>, objectKeys: string[] = [], secretKeys: string[] = []) => ({ config, objectKeys, secretKeys });

describe("Pulumi.yaml config declarations under the CLI's rules", () => {
    it("the committed Pulumi.yaml satisfies both committed stacks, which get the declared defaults", () => {
        const projectFile = readProjectFile(ROOT);
        assert.deepEqual(declarationProblems(projectFile), []);
        for (const stack of ["develop", "main"]) {
            const applied = applyProjectConfig(stack, projectFile, readStackFile(stack));
            assert.equal(applied.config["stark-ballot-simulator:environment"], stack);
        }
        // main states its origins ([]: no browser client) and sets no e-mails: the declared empty list applies.
        const main = applyProjectConfig("main", projectFile, readStackFile("main"));
        assert.equal(main.config["stark-ballot-simulator:apiCorsOrigins"], "[]");
        assert.equal(main.config["stark-ballot-simulator:alarmEmails"], "[]");
        assert.ok(main.objectKeys.includes("stark-ballot-simulator:alarmEmails"));
    });

    it("declares only the program's keys, and each default is the program's own default", () => {
        const declared = readProjectFile(ROOT).config;
        for (const key of Object.keys(declared)) assert.ok((CONFIG_KEYS as readonly string[]).includes(key), `${key} is not a program key`);
        assert.deepEqual(
            Object.fromEntries(Object.entries(declared).map(([key, d]) => [key, d.default])),
            {
                environment: undefined,
                proofPrefix: PIPELINE_DEFAULTS.proofPrefix,
                dispatchConcurrency: APP_API_DEFAULTS.dispatchConcurrency,
                sessionCapabilityTtlSeconds: APP_API_DEFAULTS.sessionCapabilityTtlSeconds,
                allowReproving: false,
                alarmEmails: [],
                networkMode: "public",
                allowHighScanFindings: false,
                maxConcurrentProofs: PIPELINE_DEFAULTS.maxConcurrentProofs,
                proofsPerHour: APP_API_DEFAULTS.proofBudget.perHour,
                proofsPerDay: APP_API_DEFAULTS.proofBudget.perDay,
            },
        );
    });

    it("the declarations as they were stop both stacks with the CLI's message (optional keys without a default)", () => {
        const before = project(`
environment: {type: string}
deployerRoleArnPattern: {type: string}
proofPrefix: {type: string}
proofBucketName: {type: string}
bundleCorsOrigins: {type: array, items: {type: string}}
apiCorsOrigins: {type: array, items: {type: string}}
dispatchConcurrency: {type: integer}
alarmEmails: {type: array, items: {type: string}}
networkMode: {type: string}
apiHandlerPath: {type: string}
`);
        const asCommitted = { ...before, name: "stark-ballot-simulator" };
        assert.throws(
            () => applyProjectConfig("develop", asCommitted, readStackFile("develop")),
            { name: "ProjectConfigError", message: "Stack 'develop' is missing configuration values 'alarmEmails', 'apiHandlerPath', 'deployerRoleArnPattern' and 'proofBucketName'" },
        );
        assert.throws(
            () => applyProjectConfig("main", asCommitted, readStackFile("main")),
            { message: "Stack 'main' is missing configuration values 'alarmEmails', 'apiHandlerPath', 'deployerRoleArnPattern' and 'proofBucketName'" },
        );
    });

    it("formats missing keys as the CLI does", () => {
        assert.equal(missingKeysMessage("dev", ["b"]), "Stack 'dev' is missing configuration value 'b'");
        assert.equal(missingKeysMessage("dev", ["b", "a"]), "Stack 'dev' is missing configuration values 'a' and 'b'");
        assert.equal(missingKeysMessage("dev", ["c", "a", "b"]), "Stack 'dev' is missing configuration values 'a', 'b' and 'c'");
    });

    it("requires only the project's namespace; a default or value is set on the stack", () => {
        const p = project(`
needed: {type: string}
"proj:alsoNeeded": {type: string}
withDefault: {type: integer, default: 3}
listDefault: {type: array, items: {type: string}, default: [a]}
"aws:region": {value: us-east-1}
`);
        assert.throws(() => applyProjectConfig("s", p, stackValues({})), { message: "Stack 's' is missing configuration values 'needed' and 'proj:alsoNeeded'" });
        const applied = applyProjectConfig("s", p, stackValues({ "proj:needed": "x", "proj:alsoNeeded": "y" }));
        assert.deepEqual(applied.config, { "proj:needed": "x", "proj:alsoNeeded": "y", "proj:withDefault": "3", "proj:listDefault": '["a"]', "aws:region": "us-east-1" });
        assert.deepEqual(applied.objectKeys, ["proj:listDefault"]);
        // A stack value wins over the default.
        assert.equal(applyProjectConfig("s", p, stackValues({ "proj:needed": "x", "proj:alsoNeeded": "y", "proj:withDefault": "9" })).config["proj:withDefault"], "9");
    });

    it("checks declared types on the stack's values, with the CLI's message", () => {
        const p = project(`
count: {type: integer, default: 1}
flag: {type: boolean, default: false}
origins: {type: array, items: {type: string}, default: []}
name: {type: string, default: n}
`);
        const run = (config: Record<string, string>, objectKeys: string[] = []) => () => applyProjectConfig("dev", p, stackValues(config, objectKeys));
        assert.doesNotThrow(run({ "proj:count": "2", "proj:flag": "true", "proj:origins": '["http://a"]', "proj:name": "5" }, ["proj:origins"]));
        assert.throws(run({ "proj:count": "two" }), { message: "Stack 'dev' with configuration key 'count' must be of type 'integer'" });
        assert.throws(run({ "proj:flag": "yes" }), { message: "Stack 'dev' with configuration key 'flag' must be of type 'boolean'" });
        // A single origin written as text instead of a list.
        assert.throws(run({ "proj:origins": "http://a" }), { message: "Stack 'dev' with configuration key 'origins' must be of type 'array<string>'" });
        assert.throws(run({ "proj:origins": "[1]" }, ["proj:origins"]), { message: "Stack 'dev' with configuration key 'origins' must be of type 'array<string>'" });
        assert.throws(run({ "proj:name": '{"a":1}' }, ["proj:name"]), { message: "Stack 'dev' with configuration key 'name' must be of type 'string'" });
    });

    it("a declared secret must be encrypted; encrypted values are not type-checked offline", () => {
        const p = project(`token: {type: integer, secret: true}`);
        assert.throws(() => applyProjectConfig("dev", p, stackValues({ "proj:token": "1" })), { message: "Stack 'dev' with configuration key 'token' must be encrypted as it's secret" });
        assert.doesNotThrow(() => applyProjectConfig("dev", p, stackValues({ "proj:token": "ciphertext" }, [], ["proj:token"])));
    });

    it("reports invalid declarations as Project.Validate does", () => {
        const p = project(`
both: {type: string, default: a, value: b}
list: {type: array}
wrongDefault: {type: integer, default: many}
"aws:typed": {type: string, value: x}
"aws:defaulted": {default: x}
"aws:empty": {description: nothing}
`);
        assert.deepEqual(declarationProblems(p), [
            "project config 'both' cannot have both a 'default' and 'value' attribute",
            "The configuration key 'list' declares an array but does not specify the underlying type via the 'items' attribute",
            "The default value specified for configuration key 'wrongDefault' is not of the expected type 'integer'",
            "Configuration key 'aws:typed' is not namespaced by the project and should not define a type",
            "Configuration key 'aws:defaulted' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?",
            "Configuration key 'aws:empty' is namespaced and must provide an attribute 'value'",
        ]);
    });

    it("ValidateConfigValue's integer and array rules", () => {
        assert.equal(valueHasType("integer", undefined, "-12"), true);
        assert.equal(valueHasType("integer", undefined, "1.5"), false);
        assert.equal(valueHasType("integer", undefined, 2), true);
        assert.equal(valueHasType("array", undefined, []), false, "an array without items never validates");
        assert.equal(valueHasType("array", { type: "array", items: { type: "integer" } }, [[1, "2"], []]), true);
        assert.equal(valueHasType("object", undefined, { a: 1 }), true);
        assert.equal(valueHasType("object", undefined, [1]), false);
    });

    describe("in the offline synthesis", function () {
        this.timeout(120_000);
        it("a stack without the required environment stops with the CLI's message before the program runs", async () => {
            const e = await synthesizeStack("develop", { configOverrides: { "stark-ballot-simulator:environment": undefined } }).then(
                () => assert.fail("synthesized"),
                (error: Error & { registeredResources?: number }) => error,
            );
            assert.equal(e.message, "Stack 'develop' is missing configuration value 'environment'");
            assert.equal(e.registeredResources, 0);
        });

        it("a value of the wrong declared type stops it too", async () => {
            const e = await synthesizeStack("develop", { configOverrides: { "stark-ballot-simulator:dispatchConcurrency": "two" } }).then(
                () => assert.fail("synthesized"),
                (error: Error) => error,
            );
            assert.equal(e.message, "Stack 'develop' with configuration key 'dispatchConcurrency' must be of type 'integer'");
        });

        it("a declared default reaches the program", async () => {
            const r = await synthesizeStack("develop", { configOverrides: { "stark-ballot-simulator:networkMode": undefined, "stark-ballot-simulator:proofPrefix": undefined } });
            assert.equal(r.outputs.proofPrefix, "sessions/");
        });
    });
});
