/**
 * `npm run plan:bootstrap -- <stack>`: synthesizes a bootstrap stack (bootstrap/Pulumi.<stack>.yaml)
 * offline and prints its resources, their security-relevant settings, its outputs and the policy
 * pack's verdict (as `pulumi up --policy-pack policy-pack` of the bootstrap would give it).
 * Exit codes: 0 printed and every mandatory policy passed; 1 invalid configuration or a synthesis
 * error; 2 a mandatory policy is violated; 64 usage.
 */
import { evaluatePolicies } from "../policy-pack/policies";
import { BOOTSTRAP_PROJECT } from "../policy-pack/policies/accountSingletons";
import { MANAGED_POLICY_MAX_CHARACTERS, policySize } from "../bootstrap/policies";
import { synthesizeBootstrap } from "./lib/synthesizeBootstrap";

function settingsOf(type: string, inputs: Record<string, any>): string {
    switch (type) {
        case "aws:signer/signingProfile:SigningProfile":
            return `name=${inputs.name} platform=${inputs.platformId} validity=${inputs.signatureValidityPeriod?.value} ${inputs.signatureValidityPeriod?.type}`;
        case "aws-native:ecr:SigningConfiguration":
            return `rules=${JSON.stringify(inputs.rules)}`;
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return `url=${inputs.url} audiences=${JSON.stringify(inputs.clientIdLists)}`;
        case "aws:iam/role:Role": {
            const trust = JSON.parse(inputs.assumeRolePolicy);
            return `name=${inputs.name} sub=${trust.Statement.map((s: any) => s.Condition?.StringEquals?.["token.actions.githubusercontent.com:sub"]).join(",")}`;
        }
        case "aws:iam/rolePolicy:RolePolicy": {
            const doc = JSON.parse(inputs.policy);
            return `statements=${doc.Statement.map((s: any) => `${s.Effect === "Deny" ? "!" : ""}${s.Sid}`).join(",")}`;
        }
        case "aws:iam/policy:Policy": {
            // The size IAM counts against its 6,144-character limit for a managed policy.
            const doc = JSON.parse(inputs.policy);
            return `name=${inputs.name} size=${policySize(doc)}/${MANAGED_POLICY_MAX_CHARACTERS} statements=${doc.Statement.map((s: any) => `${s.Effect === "Deny" ? "!" : ""}${s.Sid}`).join(",")}`;
        }
        case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            return `role=${inputs.role} policy=${inputs.policyArn}`;
        default:
            return "";
    }
}

async function main(): Promise<number> {
    const [stack, ...extra] = process.argv.slice(2);
    if (!stack || extra.length > 0) {
        console.error("usage: npm run plan:bootstrap -- <stack>   (reads bootstrap/Pulumi.<stack>.yaml, e.g. example)");
        return 64;
    }
    const result = await synthesizeBootstrap(stack).catch((e: Error) => e);
    if (result instanceof Error) {
        console.error(result.message);
        return 1;
    }
    const custom = result.resources.filter((r) => r.custom);
    console.log(`Bootstrap stack ${result.stack} (account ${result.account.accountId}, ${result.account.region}): ${custom.length} resources\n`);
    for (const component of result.resources.filter((r) => !r.custom)) {
        const children = custom.filter((r) => r.parent === `${component.type}::${component.name}`);
        console.log(`${component.type}::${component.name}  (${children.length})`);
        for (const r of children) {
            const settings = settingsOf(r.type, r.inputs);
            console.log(`  ${r.type}  ${r.name}${r.protect ? " [protected]" : ""}${settings ? `\n      ${settings}` : ""}`);
        }
        console.log("");
    }
    console.log("Outputs");
    for (const [key, value] of Object.entries(result.outputs)) {
        console.log(`  ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
    }
    console.log(`\nProvider functions called: ${[...new Set(result.invokes)].join(", ")}`);
    const resources = result.resources.map((r) => ({ ...r, urn: `${r.type}::${r.name}` }));
    // The bootstrap deploys no environment: "main" applies the stricter rules (protection).
    const violations = await evaluatePolicies(resources, { environment: "main", stack: result.stack, project: BOOTSTRAP_PROJECT });
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    console.log(`\nPolicies: ${violations.length === 0 ? "all passed" : `${violations.length} violation(s), ${mandatory.length} mandatory`}`);
    for (const v of violations) console.log(`  [${v.enforcementLevel}] ${v.policy}: ${v.resource}: ${v.message}`);
    return mandatory.length > 0 ? 2 : 0;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
