/**
 * The "AWS would reject this" rules (issue 12): each with a passing and a failing case, and each
 * run on the committed stacks (which pass) and on a deliberately broken variant of them (which fails).
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluatePolicies } from "../../policy-pack/policies";
import { ACCOUNT_SINGLETON_TYPES, checkAccountSingleton } from "../../policy-pack/policies/accountSingletons";
import { checkFargateSpotArchitecture, taskDefinitionFamily } from "../../policy-pack/policies/fargateSpot";
import { ACCOUNT_UNIQUE_NAME_KEYS, SERVICE_ID_NAMES, carriesScope, checkStackScopedNames } from "../../policy-pack/policies/physicalNames";
import { checkReservedConcurrency } from "../../policy-pack/policies/reservedConcurrency";
import { checkTrustConditionKeys } from "../../policy-pack/policies/trustConditions";
import { PROJECT_ROOT, SynthResource } from "../../scripts/lib/synthesize";
import { synth } from "../support/synth";
import { UNKNOWN_VALUES, knownValue } from "../../policy-pack/lib/values";
import { document, stackResource } from "./support/fixtures";

const ROLE = "aws:iam/role:Role";
const ACCOUNT = "123456789012";
const TRAIL_ARN = `arn:aws:cloudtrail:ap-northeast-1:${ACCOUNT}:trail/stark-ballot-simulator-trail-main`;
const trust = (service: string, condition?: Record<string, unknown>) =>
    document({ Sid: "AllowServiceAssumeRole", Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) });

/** Violations of one policy on a synthesized (and possibly altered) stack. */
async function violationsOf(policy: string, resources: SynthResource[], options: Parameters<typeof evaluatePolicies>[1]) {
    return (await evaluatePolicies(resources, options)).filter((v) => v.policy === policy);
}

/** The same resources with one resource's inputs changed (a broken variant of a committed stack). */
function alter(resources: SynthResource[], type: string, name: string, change: (inputs: Record<string, any>) => Record<string, any>): SynthResource[] {
    let found = false;
    const altered = resources.map((r) => {
        if (r.type !== type || r.name !== name) return r;
        found = true;
        return { ...r, inputs: change({ ...r.inputs }) };
    });
    assert.ok(found, `no ${type} ${name}`);
    return altered;
}

describe("knownValue (what the acceptance rules can judge during a preview)", () => {
    it("gives known values, and undefined for absent keys and each of CrossGuard's unknown placeholders", () => {
        assert.equal(knownValue({ name: "q" }, "name"), "q");
        assert.deepEqual(knownValue({ scalingConfig: { maximumConcurrency: 2 } }, "scalingConfig"), { maximumConcurrency: 2 });
        assert.equal(knownValue({}, "name"), undefined);
        assert.equal(UNKNOWN_VALUES.length, 7);
        for (const unknown of UNKNOWN_VALUES) assert.equal(knownValue({ name: unknown }, "name"), undefined);
    });

    it("a state machine definition unknown during a preview does not stop the cluster check", () => {
        const found = checkFargateSpotArchitecture([
            stackResource("aws:ecs/taskDefinition:TaskDefinition", "td", { family: "prover", runtimePlatform: { cpuArchitecture: "ARM64" } }),
            stackResource("aws:sfn/stateMachine:StateMachine", "sm", { definition: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }),
            stackResource("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "cap", { capacityProviders: ["FARGATE", "FARGATE_SPOT"] }),
        ]);
        assert.deepEqual(found.map((v) => v.urn), ["urn:pulumi:test::stark-ballot-simulator::aws:ecs/clusterCapacityProviders:ClusterCapacityProviders::cap"]);
    });
});

describe("iam-trust-condition-keys-sent", () => {
    it("passes CloudTrail's logs role without conditions, and other services with confused-deputy keys", () => {
        assert.deepEqual(checkTrustConditionKeys(ROLE, { assumeRolePolicy: trust("cloudtrail.amazonaws.com") }), []);
        assert.deepEqual(checkTrustConditionKeys(ROLE, { assumeRolePolicy: trust("states.amazonaws.com", { StringEquals: { "aws:SourceAccount": ACCOUNT } }) }), []);
    });

    it("reports each key CloudTrail does not send, whatever the operator or the key's case", () => {
        const problems = checkTrustConditionKeys(ROLE, {
            assumeRolePolicy: trust("cloudtrail.amazonaws.com", { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "AWS:SourceArn": TRAIL_ARN } }),
        });
        assert.deepEqual(
            problems,
            ["aws:SourceAccount", "AWS:SourceArn"].map(
                (key) =>
                    `assumeRolePolicy: statement "AllowServiceAssumeRole" conditions cloudtrail.amazonaws.com on ${key}, which it does not send when it assumes this role, so the assume always fails (AWS: "Confused deputy prevention is not applicable to the role policy for CloudWatch Logs monitoring. The role policy doesn't support the use of aws:SourceArn and aws:SourceAccount." https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html)`,
            ),
        );
    });

    it("main passes; main with the old trust (both keys on the logs role) fails", async () => {
        const main = await synth("main");
        assert.deepEqual(await violationsOf("iam-trust-condition-keys-sent", main.resources, { environment: "main", stack: "main" }), []);
        const broken = alter(main.resources, ROLE, "observability-trail-logs-role", (i) => ({
            ...i,
            assumeRolePolicy: trust("cloudtrail.amazonaws.com", { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": TRAIL_ARN } }),
        }));
        const found = await violationsOf("iam-trust-condition-keys-sent", broken, { environment: "main", stack: "main" });
        assert.deepEqual(found.map((v) => v.resource), [`${ROLE}::observability-trail-logs-role`, `${ROLE}::observability-trail-logs-role`]);
    });
});

describe("ecs-fargate-spot-x86-only", () => {
    const TD = "aws:ecs/taskDefinition:TaskDefinition";
    const taskDefinition = (family: string, cpuArchitecture?: string) =>
        stackResource(TD, family, { family, ...(cpuArchitecture ? { runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture } } : {}) });
    const runTaskMachine = (taskDefinitionRef: string, spot: boolean) =>
        stackResource("aws:sfn/stateMachine:StateMachine", "dispatcher", {
            definition: JSON.stringify({
                StartAt: "Outer",
                States: {
                    Outer: {
                        Type: "Parallel",
                        End: true,
                        Branches: [
                            {
                                StartAt: "RunProver",
                                States: {
                                    RunProver: {
                                        Type: "Task",
                                        Resource: "arn:aws:states:::ecs:runTask.sync",
                                        Parameters: { TaskDefinition: taskDefinitionRef, ...(spot ? { CapacityProviderStrategy: [{ CapacityProvider: "FARGATE_SPOT", Weight: 1 }] } : { LaunchType: "FARGATE" }) },
                                        End: true,
                                    },
                                },
                            },
                        ],
                    },
                },
            }),
        });
    const ref = `arn:aws:ecs:ap-northeast-1:${ACCOUNT}:task-definition/prover:3`;

    it("reads the family of an ARN, family:revision or family", () => {
        assert.equal(taskDefinitionFamily(ref), "prover");
        assert.equal(taskDefinitionFamily("prover:3"), "prover");
        assert.equal(taskDefinitionFamily("prover"), "prover");
        assert.equal(taskDefinitionFamily(undefined), undefined);
    });

    it("passes ARM64 on FARGATE, and X86_64 (or the default) on FARGATE_SPOT", () => {
        assert.deepEqual(checkFargateSpotArchitecture([taskDefinition("prover", "ARM64"), runTaskMachine(ref, false)]), []);
        assert.deepEqual(checkFargateSpotArchitecture([taskDefinition("prover", "X86_64"), runTaskMachine(ref, true)]), []);
        assert.deepEqual(checkFargateSpotArchitecture([taskDefinition("prover"), runTaskMachine(ref, true)]), []);
    });

    it("reports an ARM64 task on FARGATE_SPOT, even inside a Parallel branch, and an ECS service doing the same", () => {
        const service = stackResource("aws:ecs/service:Service", "svc", { taskDefinition: "prover:3", capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] });
        const found = checkFargateSpotArchitecture([taskDefinition("prover", "ARM64"), runTaskMachine(ref, true), service]);
        assert.equal(found.length, 2);
        assert.match(found[0].message, /^state "RunProver" runs ARM64 task definition prover on FARGATE_SPOT, which runs only X86_64 Linux tasks: every RunTask fails \(AWS: "Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider" https:\/\/docs\.aws\.amazon\.com\/AmazonECS\/latest\/developerguide\/fargate-capacity-providers\.html\)$/);
        assert.equal(found[1].message, `service runs ARM64 task definition prover on FARGATE_SPOT, which runs only X86_64 Linux tasks: every RunTask fails (AWS: "Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider" https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html)`);
    });

    it("both committed stacks pass; develop with the old cluster (FARGATE_SPOT offered) or a Spot RunProver fails", async () => {
        const develop = await synth("develop");
        for (const stack of ["develop", "main"] as const) {
            assert.deepEqual(await violationsOf("ecs-fargate-spot-x86-only", (await synth(stack)).resources, { environment: stack, stack }), []);
        }
        const oldCluster = alter(develop.resources, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "prover-cluster-capacity", (i) => ({ ...i, capacityProviders: ["FARGATE", "FARGATE_SPOT"] }));
        const clusterFound = await violationsOf("ecs-fargate-spot-x86-only", oldCluster, { environment: "develop", stack: "develop" });
        assert.equal(clusterFound.length, 1);
        assert.equal(clusterFound[0].message, "cluster offers FARGATE_SPOT, but every task definition of the stack is ARM64, which Fargate Spot does not run (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html): offer FARGATE only");

        const spotRun = alter(develop.resources, "aws:sfn/stateMachine:StateMachine", "prover-dispatcher", (i) => {
            const definition = JSON.parse(i.definition);
            const run = definition.States.RunProver;
            assert.ok(run, "the definition has a RunProver state");
            delete run.Parameters.LaunchType;
            run.Parameters.CapacityProviderStrategy = [{ CapacityProvider: "FARGATE_SPOT", Weight: 1 }];
            return { ...i, definition: JSON.stringify(definition) };
        });
        const runFound = await violationsOf("ecs-fargate-spot-x86-only", spotRun, { environment: "develop", stack: "develop" });
        assert.deepEqual(runFound.map((v) => v.resource), ["aws:sfn/stateMachine:StateMachine::prover-dispatcher"]);
    });
});

describe("lambda-reserved-concurrency-fits-quota", () => {
    const FN = "aws:lambda/function:Function";
    const fnArn = `arn:aws:lambda:ap-northeast-1:${ACCOUNT}:function:dispatch`;
    const fn = (reserved?: number) => stackResource(FN, "dispatch", { name: "dispatch", arn: fnArn, ...(reserved === undefined ? {} : { reservedConcurrentExecutions: reserved }) });
    const mapping = (maximumConcurrency: number) =>
        stackResource("aws:lambda/eventSourceMapping:EventSourceMapping", "work", { functionName: fnArn, scalingConfig: { maximumConcurrency } });

    it("passes no reservation (the event source caps the consumer), and a stated quota the reservations fit", () => {
        assert.deepEqual(checkReservedConcurrency([fn(), mapping(2)], { config: {} }), []);
        assert.deepEqual(checkReservedConcurrency([fn(5), mapping(5)], { config: { accountConcurrencyLimit: "105" } }), []);
    });

    it("reports a reservation without a stated quota, one the quota cannot hold, and a maximum concurrency above it", () => {
        const unstated = checkReservedConcurrency([fn(5)], { config: {} });
        assert.equal(unstated.length, 1);
        assert.equal(unstated[0].message, "reserves 5 concurrent executions, which assumes the account's concurrency quota leaves 100 unreserved (Lambda refuses it otherwise; new accounts often have a quota of 10, https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). Remove the reservation (an SQS event source's maximumConcurrency caps a consumer without one), or state the account's quota in this policy's config as accountConcurrencyLimit");
        assert.deepEqual(checkReservedConcurrency([fn(5)], { config: { accountConcurrencyLimit: "10" } }), [
            {
                message:
                    "the stack reserves 5 concurrent executions; with the account's quota of 10 that leaves 5 unreserved, below Lambda's minimum of 100 (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html)",
            },
        ]);
        const throttled = checkReservedConcurrency([fn(2), mapping(4)], { config: { accountConcurrencyLimit: "1000" } });
        assert.equal(throttled.length, 1);
        assert.equal(throttled[0].message, "maximumConcurrency 4 exceeds the reserved concurrency 2 of the function it invokes: the poller is throttled and throttled messages count toward the queue's maxReceiveCount (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html)");
    });

    it("both committed stacks pass; develop opting into a reservation fails until the quota is stated", async () => {
        for (const stack of ["develop", "main"] as const) {
            assert.deepEqual(await violationsOf("lambda-reserved-concurrency-fits-quota", (await synth(stack)).resources, { environment: stack, stack }), []);
        }
        const reserving = await synth("develop", { configOverrides: { "stark-ballot-simulator:dispatchReservedConcurrency": 2 } });
        const found = await violationsOf("lambda-reserved-concurrency-fits-quota", reserving.resources, { environment: "develop", stack: "develop" });
        assert.deepEqual(found.map((v) => v.resource), ["aws:lambda/function:Function::app-prover-dispatch-function"]);
        const stated = { "lambda-reserved-concurrency-fits-quota": { accountConcurrencyLimit: "1000" } };
        assert.deepEqual(await violationsOf("lambda-reserved-concurrency-fits-quota", reserving.resources, { environment: "develop", stack: "develop", policyConfig: stated }), []);
    });
});

describe("no-account-singletons-in-app-stack", () => {
    it("names the ECR registry settings and account-level settings", () => {
        for (const type of [
            "aws-native:ecr:SigningConfiguration",
            "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
            "aws:ecr/replicationConfiguration:ReplicationConfiguration",
            "aws:ecr/registryPolicy:RegistryPolicy",
            "aws:ecr/accountSetting:AccountSetting",
            "aws:ecs/accountSettingDefault:AccountSettingDefault",
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        ]) {
            assert.ok(type in ACCOUNT_SINGLETON_TYPES, type);
        }
    });

    it("passes an ordinary repository; reports a registry signing configuration with where it belongs", () => {
        assert.deepEqual(checkAccountSingleton("aws:ecr/repository:Repository"), []);
        assert.deepEqual(checkAccountSingleton("aws-native:ecr:SigningConfiguration"), [
            "aws-native:ecr:SigningConfiguration configures the ECR registry's signing configuration, which exists once per account (and region): a second app stack would overwrite it and destroying either removes it for both. Create it in the account bootstrap stack (bootstrap/), not in an app stack",
        ]);
    });

    it("both committed stacks pass; develop with a registry signing configuration added fails", async () => {
        for (const stack of ["develop", "main"] as const) {
            assert.deepEqual(await violationsOf("no-account-singletons-in-app-stack", (await synth(stack)).resources, { environment: stack, stack }), []);
        }
        const develop = await synth("develop");
        const signing: SynthResource = {
            type: "aws-native:ecr:SigningConfiguration",
            name: "prover-signing",
            urn: "aws-native:ecr:SigningConfiguration::prover-signing",
            inputs: { rules: [{ repositoryFilters: [{ filter: "stark-ballot-simulator-prover-*", filterType: "WILDCARD_MATCH" }], signingProfileArn: "arn:aws:signer:ap-northeast-1:123456789012:/signing-profiles/prover" }] },
            protect: false,
            custom: true,
        };
        const found = await violationsOf("no-account-singletons-in-app-stack", [...develop.resources, signing], { environment: "develop", stack: "develop" });
        assert.deepEqual(found.map((v) => v.resource), [signing.urn]);
    });
});

describe("physical-names-per-stack", () => {
    it("a name carries the scope only as a whole word", () => {
        assert.ok(carriesScope("stark-ballot-simulator-prover-work-develop", "develop"));
        assert.ok(carriesScope("/aws/lambda/stark-ballot-simulator-api-alice", "alice"));
        assert.ok(carriesScope("/stark-ballot-simulator/alice/captcha-secret", "alice"));
        assert.ok(carriesScope("stark-ballot-simulator-proof-bundles-alice-123456789012", "alice"));
        assert.ok(!carriesScope("stark-ballot-simulator-prover-work-develop", "dev"));
        assert.ok(!carriesScope("stark-ballot-simulator-prover-work-malice", "alice"));
    });

    it("passes names carrying the stack; reports one that does not; skips auto-named resources and an unknown stack", () => {
        const named = stackResource("aws:sqs/queue:Queue", "q", { name: "stark-ballot-simulator-prover-work-alice" });
        const shared = stackResource("aws:iam/role:Role", "r", { name: "stark-ballot-simulator-prover-task-develop" });
        const auto = stackResource("aws:sqs/queue:Queue", "auto", {});
        assert.deepEqual(checkStackScopedNames([named, auto], { config: { stack: "alice" } }), []);
        assert.deepEqual(checkStackScopedNames([shared], { config: { stack: "alice" } }), [
            {
                urn: shared.urn,
                message:
                    'name "stark-ballot-simulator-prover-task-develop" does not carry the stack name "alice": another stack of this program in the same account would derive the same name and collide (build it with physicalName(role, nameScope))',
            },
        ]);
        assert.deepEqual(checkStackScopedNames([shared], { config: {} }), []);
        // A name unknown during a preview (the engine's placeholder) is judged on `pulumi up`.
        const unknown = stackResource("aws:s3/bucket:Bucket", "b", { bucket: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" });
        assert.deepEqual(checkStackScopedNames([unknown], { config: { stack: "alice" } }), []);
    });

    it("exempts the bootstrap project, one stack per account by design", () => {
        const ciRole = stackResource("aws:iam/role:Role", "r", { name: "gha-stark-ballot-simulator-preview" });
        assert.deepEqual(checkStackScopedNames([ciRole], { config: { stack: "prod", project: "stark-ballot-simulator-bootstrap" } }), []);
        assert.equal(checkStackScopedNames([ciRole], { config: { stack: "prod", project: "stark-ballot-simulator" } }).length, 1);
    });

    it("accepts a name AWS dictates from an id it generated (AppSync's log group), and nothing merely shaped like one", () => {
        const appsync = stackResource("aws:cloudwatch/logGroup:LogGroup", "l", { name: "/aws/appsync/apis/34cb79500a54fc6df3dc434f0a" });
        const lookalike = stackResource("aws:cloudwatch/logGroup:LogGroup", "m", { name: "/aws/appsync/apis/stark-ballot-simulator-data" });
        assert.deepEqual(checkStackScopedNames([appsync], { config: { stack: "alice" } }), []);
        assert.deepEqual(checkStackScopedNames([lookalike], { config: { stack: "alice" } }).map((v) => v.urn), [lookalike.urn]);
    });

    it("both committed stacks and a personal stack pass; a personal stack with develop's names (the old naming) fails", async () => {
        for (const stack of ["develop", "main"] as const) {
            assert.deepEqual(await violationsOf("physical-names-per-stack", (await synth(stack)).resources, { environment: stack, stack }), []);
        }
        const personal = await synthPersonal("alice");
        assert.deepEqual(await violationsOf("physical-names-per-stack", personal.resources, { environment: "develop", stack: "alice" }), []);
        const develop = await synth("develop");
        const found = await violationsOf("physical-names-per-stack", develop.resources, { environment: "develop", stack: "alice" });
        // Every develop name, except AppSync's log group, which AWS names after the API's generated id.
        const namedTypes = develop.resources.filter((r) => {
            const name = r.inputs[ACCOUNT_UNIQUE_NAME_KEYS[r.type] ?? "-"];
            return typeof name === "string" && !SERVICE_ID_NAMES.some((p) => p.test(name));
        });
        assert.deepEqual(found.map((v) => v.resource).sort(), namedTypes.map((r) => r.urn).sort());
        assert.ok(namedTypes.some((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "prover-bundles"), "the bundle bucket is among them");
    });
});

/** A personal stack: the develop stack file under another stack name. */
async function synthPersonal(stack: string) {
    const dir = mkdtempSync(join(tmpdir(), "stack-"));
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), readFileSync(join(PROJECT_ROOT, "Pulumi.develop.yaml")));
    return synth(stack, { stackConfigDir: dir });
}
