/**
 * `npm run plan -- <stack> [--config-dir <dir>]`: synthesizes a stack offline from its Pulumi.<stack>.yaml (no cloud
 * account, no Pulumi CLI) and prints its resources grouped by component, the settings that matter,
 * the stack outputs, the policy pack's verdict and how long synthesis took.
 * Exit codes: 0 plan printed and every mandatory policy passed; 1 invalid configuration or a
 * synthesis error; 2 a mandatory policy is violated; 64 usage.
 */
import { SynthResource, SynthResult, synthesizeStack } from "./lib/synthesize";
import { planSettings } from "./lib/planSettings";
import { bundleFigures } from "./lib/bundleFigures";
import { bundlesBuilt } from "../components/lambdaCode";
import { EXIT_USAGE, parseStackCommand } from "./lib/cli";

type PolicyEvaluator = (resources: SynthResource[], options: { environment: "develop" | "main"; stack?: string }) => Promise<
    Array<{ policy: string; resource: string; message: string; enforcementLevel: string }>
>;

function groupByComponent(result: SynthResult): Map<string, SynthResource[]> {
    const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
    const topLevel = (r: SynthResource): string => {
        let current = r;
        while (current.parent && byUrn.get(current.parent)?.parent) current = byUrn.get(current.parent) as SynthResource;
        return current.parent ?? (current.custom ? "(stack)" : current.urn);
    };
    const groups = new Map<string, SynthResource[]>();
    for (const r of result.resources.filter((x) => x.custom)) {
        const key = topLevel(r);
        groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return groups;
}

function printPlan(result: SynthResult): void {
    const custom = result.resources.filter((r) => r.custom);
    console.log(`Stack ${result.stack}: ${custom.length} resources in ${result.resources.length - custom.length} components\n`);
    for (const [component, resources] of groupByComponent(result)) {
        console.log(`${component}  (${resources.length})`);
        for (const r of resources) {
            const settings = planSettings(r);
            const flags = r.protect ? " [protected]" : "";
            console.log(`  ${r.type}  ${r.name}${flags}${settings ? `\n      ${settings}` : ""}`);
        }
        console.log("");
    }
    console.log("Outputs");
    for (const [key, value] of Object.entries(result.outputs)) {
        console.log(`  ${key}: ${typeof value === "string" ? value : JSON.stringify(value, null, 2).replace(/\n/g, "\n  ")}`);
    }
    if (result.placeholderSecrets.length > 0) {
        console.log(`\nOffline placeholders (not in the stack file; set with pulumi config set --secret): ${result.placeholderSecrets.join(", ")}`);
    }
    console.log(`\nProvider functions called: ${[...new Set(result.invokes)].join(", ")}`);
    console.log(`\n${bundleFigures(bundlesBuilt())}`);
}

function loadPolicies(): PolicyEvaluator | undefined {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require("../policy-pack/policies").evaluatePolicies as PolicyEvaluator;
    } catch (e) {
        console.log(`\nPolicies: not evaluated (${(e as Error).message.split("\n")[0]})`);
        return undefined;
    }
}

async function main(): Promise<number> {
    const args = parseStackCommand(process.argv.slice(2), "plan");
    if ("message" in args) {
        console.error(args.message);
        return EXIT_USAGE;
    }
    const { stack, configDir: stackConfigDir } = args;
    let result: SynthResult;
    try {
        result = await synthesizeStack(stack, { stackConfigDir });
    } catch (e) {
        console.error((e as Error).message);
        return 1;
    }
    printPlan(result);

    let exitCode = 0;
    const evaluate = loadPolicies();
    if (evaluate) {
        const environment = String(result.outputs.environment) as "develop" | "main";
        const violations = await evaluate(result.resources, { environment, stack: result.stack });
        const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
        console.log(`\nPolicies: ${violations.length === 0 ? "all passed" : `${violations.length} violation(s), ${mandatory.length} mandatory`}`);
        for (const v of violations) console.log(`  [${v.enforcementLevel}] ${v.policy}: ${v.resource}: ${v.message}`);
        if (mandatory.length > 0) exitCode = 2;
    }
    console.log(`\nSynthesized in ${(result.durationMs / 1000).toFixed(2)} s`);
    return exitCode;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
