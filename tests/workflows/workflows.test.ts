/**
 * The GitHub Actions workflows, parsed as GitHub reads them. Callers delegate the Pulumi work to the
 * reusable `pulumi-stack.yml`, so the tests resolve each caller job into the commands it really runs
 * per stack (the step selected by `inputs.command`, with `$STACK` substituted).
 */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";

const DIR = join(__dirname, "../../.github/workflows");
const REUSABLE = "./.github/workflows/pulumi-stack.yml";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    "runs-on"?: string;
    needs?: string | string[];
    if?: string;
    uses?: string;
    with?: Record<string, string>;
    secrets?: unknown;
    environment?: string;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    strategy?: { matrix: { stack: string[] }; "fail-fast"?: boolean };
    env?: Record<string, string>;
    steps?: Step[];
}
interface Workflow {
    on: Record<string, any>;
    permissions?: Record<string, string>;
    defaults?: Record<string, unknown>;
    jobs: Record<string, Job>;
}

const read = (file: string) => readFileSync(join(DIR, file), "utf8");
const load = (file: string) => yaml.load(read(file)) as Workflow;
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".yml"));

const reusable = load("pulumi-stack.yml");
const stackJob = reusable.jobs.pulumi;
const stepsOf = (job: Job) => job.steps ?? [];

/** The stacks a caller job runs on: its matrix, or its single `with.stack`. */
function stacksOf(job: Job): string[] {
    if (job.with?.stack === "${{ matrix.stack }}") return job.strategy!.matrix.stack;
    return [job.with!.stack];
}

/** The steps of the reusable job that run for `command`: unconditional ones and those selected for it. */
function stepsFor(command: string): Step[] {
    return stepsOf(stackJob).filter((s) => s.if === undefined || s.if.includes(`inputs.command == '${command}'`));
}

/** The shell commands a caller job runs for each of its stacks. */
function commandsOf(job: Job): Record<string, string[]> {
    assert.strictEqual(job.uses, REUSABLE);
    const result: Record<string, string[]> = {};
    for (const stack of stacksOf(job)) {
        result[stack] = stepsFor(job.with!.command)
            .filter((s) => s.run !== undefined)
            .map((s) => s.run!.replace(/\$STACK/g, stack));
    }
    return result;
}

const indexOfStep = (steps: Step[], predicate: (s: Step) => boolean) => {
    const index = steps.findIndex(predicate);
    assert.notStrictEqual(index, -1, "step not found");
    return index;
};

const OIDC_CALLER = { contents: "read", "id-token": "write" };

describe("GitHub Actions workflows", () => {
    it("are exactly the four expected files", () => {
        assert.deepStrictEqual(FILES.sort(), ["deploy.yml", "drift.yml", "pull-request.yml", "pulumi-stack.yml"]);
    });

    it("never carry long-lived AWS keys", () => {
        for (const file of FILES) {
            assert.doesNotMatch(read(file), /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key/i, file);
        }
    });

    it("pin every action to a major version", () => {
        for (const file of FILES) {
            const jobs = Object.values(load(file).jobs);
            const actions = jobs.flatMap((j) => stepsOf(j).map((s) => s.uses)).filter((u): u is string => u !== undefined);
            for (const action of actions) assert.match(action, /^[\w.-]+\/[\w.-]+@v\d+$/, `${file}: ${action}`);
        }
    });

    it("default to read-only repository access", () => {
        for (const file of ["pull-request.yml", "deploy.yml", "drift.yml"]) assert.deepStrictEqual(load(file).permissions, { contents: "read" }, file);
    });

    describe("pulumi-stack.yml (reusable)", () => {
        it("is callable with a stack, a command and an optional environment", () => {
            assert.deepStrictEqual(Object.keys(reusable.on), ["workflow_call"]);
            assert.deepStrictEqual(Object.keys(reusable.on.workflow_call.inputs), ["stack", "command", "environment"]);
            assert.strictEqual(stackJob.environment, "${{ inputs.environment }}");
            assert.strictEqual(stackJob.env!.STACK, "${{ inputs.stack }}");
        });

        it("sets up Node 20 with the npm cache, installs with npm ci and assumes the AWS role through OIDC", () => {
            const steps = stepsOf(stackJob);
            const node = steps[indexOfStep(steps, (s) => s.uses === "actions/setup-node@v6")];
            assert.deepStrictEqual(node.with, { "node-version": 20, cache: "npm" });
            const aws = steps[indexOfStep(steps, (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true)];
            assert.strictEqual(aws.with!["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
            assert.deepStrictEqual(
                steps.slice(0, indexOfStep(steps, (s) => s.run?.startsWith("pulumi login") === true)).map((s) => s.uses ?? s.run),
                ["actions/checkout@v6", "actions/setup-node@v6", "npm ci", "aws-actions/configure-aws-credentials@v5", "pulumi/actions@v7"],
            );
        });

        it("logs in to the self-managed backend from the secret and decrypts stack secrets with the passphrase secret", () => {
            const steps = stepsOf(stackJob);
            const login = steps[indexOfStep(steps, (s) => s.run?.startsWith("pulumi login") === true)];
            assert.strictEqual(login.run, 'pulumi login "$PULUMI_BACKEND_URL"');
            assert.deepStrictEqual(login.env, { PULUMI_BACKEND_URL: "${{ secrets.PULUMI_BACKEND_URL }}" });
            const pulumiCommands = steps.filter((s) => /^pulumi (preview|up)/.test(s.run ?? ""));
            assert.strictEqual(pulumiCommands.length, 3);
            for (const step of pulumiCommands) assert.strictEqual(step.env?.PULUMI_CONFIG_PASSPHRASE, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
        });

        it("sets up QEMU (arm64) and Buildx before `pulumi up`, and only for it", () => {
            const steps = stepsOf(stackJob);
            const qemu = indexOfStep(steps, (s) => s.uses === "docker/setup-qemu-action@v3");
            const buildx = indexOfStep(steps, (s) => s.uses === "docker/setup-buildx-action@v3");
            const up = indexOfStep(steps, (s) => s.run?.startsWith("pulumi up") === true);
            assert.ok(qemu < up && buildx < up);
            assert.deepStrictEqual(steps[qemu].with, { platforms: "arm64" });
            for (const i of [qemu, buildx, up]) assert.strictEqual(steps[i].if, "inputs.command == 'up'");
        });

        it("comments every preview (including a failed one) on the pull request", () => {
            const steps = stepsOf(stackJob);
            const preview = indexOfStep(steps, (s) => s.run?.startsWith("pulumi preview --stack") === true && s.if === "inputs.command == 'preview'");
            const comment = indexOfStep(steps, (s) => s.uses === "actions/github-script@v8");
            assert.ok(preview < comment);
            assert.strictEqual(steps[comment].if, "always() && inputs.command == 'preview' && github.event_name == 'pull_request'");
            assert.match(String(steps[comment].with!.script), /pulumi-preview\.txt/);
            assert.match(steps[preview].run!, /\| tee pulumi-preview\.txt$/);
            assert.deepStrictEqual(reusable.defaults, { run: { shell: "bash" } }); // bash -eo pipefail: tee keeps a failure
        });
    });

    describe("pull-request.yml", () => {
        const workflow = load("pull-request.yml");

        it("runs on pull requests: type-check and tests first", () => {
            assert.deepStrictEqual(Object.keys(workflow.on), ["pull_request"]);
            assert.deepStrictEqual(
                stepsOf(workflow.jobs.test).map((s) => s.uses ?? s.run),
                ["actions/checkout@v6", "actions/setup-node@v6", "npm ci", "npx tsc --noEmit", "npm test"],
            );
            assert.deepStrictEqual(stepsOf(workflow.jobs.test)[1].with, { "node-version": 20, cache: "npm" });
        });

        it("previews each stack with the policy pack after the tests, with OIDC and PR-comment permissions", () => {
            const preview = workflow.jobs.preview;
            assert.strictEqual(preview.needs, "test");
            assert.deepStrictEqual(preview.permissions, { ...OIDC_CALLER, "pull-requests": "write" });
            assert.strictEqual(preview.with!.command, "preview");
            assert.strictEqual(preview.secrets, "inherit");
            assert.deepStrictEqual(commandsOf(preview), {
                develop: [
                    "npm ci",
                    'pulumi login "$PULUMI_BACKEND_URL"',
                    'pulumi preview --stack "develop" --policy-pack policy-pack --diff --color never --non-interactive 2>&1 | tee pulumi-preview.txt',
                ],
                main: [
                    "npm ci",
                    'pulumi login "$PULUMI_BACKEND_URL"',
                    'pulumi preview --stack "main" --policy-pack policy-pack --diff --color never --non-interactive 2>&1 | tee pulumi-preview.txt',
                ],
            });
        });

        it("cancels a superseded preview of the same pull request and stack", () => {
            assert.deepStrictEqual(workflow.jobs.preview.concurrency, {
                group: "preview-${{ github.event.pull_request.number }}-${{ matrix.stack }}",
                "cancel-in-progress": true,
            });
        });
    });

    describe("deploy.yml", () => {
        const workflow = load("deploy.yml");

        it("runs on pushes to main", () => {
            assert.deepStrictEqual(workflow.on, { push: { branches: ["main"] } });
        });

        it("runs `pulumi up` with the policy pack on develop, then on main behind the production environment", () => {
            const { develop, main } = workflow.jobs;
            assert.deepStrictEqual(Object.keys(workflow.jobs), ["develop", "main"]);
            assert.strictEqual(develop.needs, undefined);
            assert.strictEqual(main.needs, "develop");
            assert.strictEqual(main.with!.environment, "production");
            for (const [job, stack] of [[develop, "develop"], [main, "main"]] as const) {
                assert.deepStrictEqual(job.permissions, OIDC_CALLER);
                assert.deepStrictEqual(commandsOf(job)[stack].at(-1), `pulumi up --stack "${stack}" --policy-pack policy-pack --yes --diff --color never --non-interactive`);
            }
        });

        it("never runs two deploys of a stack at once, and never cancels a running one", () => {
            assert.deepStrictEqual(workflow.jobs.develop.concurrency, { group: "deploy-develop", "cancel-in-progress": false });
            assert.deepStrictEqual(workflow.jobs.main.concurrency, { group: "deploy-main", "cancel-in-progress": false });
        });
    });

    describe("drift.yml", () => {
        const workflow = load("drift.yml");

        it("runs on a schedule and on demand", () => {
            assert.deepStrictEqual(workflow.on, { schedule: [{ cron: "23 5 * * *" }], workflow_dispatch: null });
        });

        it("expects a refresh preview of each stack to find no changes", () => {
            const drift = workflow.jobs.drift;
            assert.deepStrictEqual(drift.permissions, OIDC_CALLER);
            const commands = commandsOf(drift);
            assert.deepStrictEqual(Object.keys(commands), ["develop", "main"]);
            for (const stack of ["develop", "main"]) {
                assert.strictEqual(
                    commands[stack].at(-1),
                    `pulumi preview --stack "${stack}" --policy-pack policy-pack --refresh --expect-no-changes --diff --color never --non-interactive`,
                );
            }
        });

        it("uses its own concurrency group, so it can never replace a pending deploy", () => {
            assert.deepStrictEqual(workflow.jobs.drift.concurrency, { group: "drift-${{ matrix.stack }}", "cancel-in-progress": true });
        });
    });
});
