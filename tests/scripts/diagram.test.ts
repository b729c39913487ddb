import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildDiagram, extractReadmeBlock, readmeBlock, readmeBlocks, renderMermaid, replaceReadmeBlock, stateMachineMermaid } from "../../scripts/lib/diagram";
import type { SynthResource, SynthResult } from "../../scripts/lib/synthesize";
import { synth } from "../support/synth";

const ROOT = path.resolve(__dirname, "..", "..");
const ACCOUNT = { accountId: "123456789012", region: "ap-northeast-1", partition: "aws", callerArn: "arn:aws:sts::123456789012:assumed-role/x/y" };

function resource(type: string, name: string, inputs: Record<string, unknown>, parent?: string): SynthResource {
    return { type, name, urn: `${type}::${name}`, inputs, protect: false, parent, custom: !type.startsWith("stark:"), };
}

function result(resources: SynthResource[]): SynthResult {
    return { stack: "test", resources, outputs: {}, invokes: [], placeholderSecrets: [], account: ACCOUNT, durationMs: 0 };
}

const COMPONENT = "stark:test:Thing::thing";
const queueUrl = (n: string) => `https://sqs.ap-northeast-1.amazonaws.com/123456789012/${n}`;
const fnArn = (n: string) => `arn:aws:lambda:ap-northeast-1:123456789012:function:${n}`;

describe("architecture diagram (scripts/lib/diagram.ts)", () => {
    const small = () => [
        resource("stark:test:Thing", "thing", {}),
        resource("aws:sqs/queue:Queue", "work", { name: "work-queue-develop" }, COMPONENT),
        resource("aws:sqs/queue:Queue", "work-plus", { name: "work-queue-develop-plus" }, COMPONENT),
        resource("aws:lambda/function:Function", "sender", { name: "sender-fn", environment: { variables: { QUEUE: queueUrl("work-queue-develop") } } }, COMPONENT),
        resource("aws:lambda/function:Function", "poller", { name: "poller-fn" }, COMPONENT),
        resource("aws:lambda/eventSourceMapping:EventSourceMapping", "mapping", { eventSourceArn: "arn:aws:sqs:ap-northeast-1:123456789012:work-queue-develop", functionName: fnArn("poller-fn") }, COMPONENT),
        resource("aws:iam/role:Role", "sender-role", { name: "sender-role-develop" }, COMPONENT),
    ];

    it("draws main resources in their component, an arrow per reference and per connector, and leaves IAM out", () => {
        const mermaid = renderMermaid(buildDiagram(result(small())));
        assert.equal(
            mermaid,
            [
                "flowchart LR",
                "    client([client])",
                '    subgraph component_stark_test_Thing_thing["Thing: thing"]',
                '        poller["poller<br/><i>Lambda function</i>"]',
                '        sender["sender<br/><i>Lambda function</i>"]',
                '        work["work<br/><i>SQS queue</i>"]',
                '        work_plus["work-plus<br/><i>SQS queue</i>"]',
                "    end",
                "    sender --> work",
                "    work -->|event source| poller",
                "",
            ].join("\n"),
        );
    });

    it("does not depend on the order resources registered in", () => {
        const forward = renderMermaid(buildDiagram(result(small())));
        assert.equal(renderMermaid(buildDiagram(result(small().reverse()))), forward);
    });

    it("matches a name only as a whole token, and ignores names two resources share", () => {
        const resources = [
            resource("stark:test:Thing", "thing", {}),
            // `work-queue-develop` is a prefix of the other queue's name: no arrow to `work` from a mention of `work-plus`.
            resource("aws:sqs/queue:Queue", "work", { name: "work-queue-develop" }, COMPONENT),
            resource("aws:sqs/queue:Queue", "work-plus", { name: "work-queue-develop-plus" }, COMPONENT),
            resource("aws:lambda/function:Function", "sender", { name: "sender-fn", environment: { variables: { Q: "work-queue-develop-plus" } } }, COMPONENT),
            // An ECS cluster and an ECR repository of the same name: a bare mention of it names neither.
            resource("aws:ecs/cluster:Cluster", "cluster", { name: "prover-develop-x" }, COMPONENT),
            resource("aws:ecr/repository:Repository", "repo", { name: "prover-develop-x" }, COMPONENT),
            resource("aws:lambda/function:Function", "reader", { name: "reader-fn", environment: { variables: { C: "prover-develop-x" } } }, COMPONENT),
        ];
        const edges = buildDiagram(result(resources)).edges;
        assert.deepEqual(edges, [{ from: "sender", to: "work_plus" }]);
    });

    it("lets the client in through each HTTP API", () => {
        const resources = [resource("aws:apigatewayv2/api:Api", "http", { name: "http-api-develop", protocolType: "HTTP" })];
        assert.deepEqual(buildDiagram(result(resources)).edges, [{ from: "client", to: "http", label: "HTTPS" }]);
    });

    it("replaces only the stack's block in the README, and refuses a README without it", () => {
        const architecture = { kind: "architecture", stack: "develop" } as const;
        const flow = { kind: "state-machine", stack: "develop" } as const;
        const readme = `intro\n${readmeBlock(architecture, "old\n")}\nmiddle\n${readmeBlock(flow, "old flow\n")}\noutro\n`;
        const updated = replaceReadmeBlock(readme, architecture, readmeBlock(architecture, "flowchart LR\n"));
        assert.equal(updated, `intro\n${readmeBlock(architecture, "flowchart LR\n")}\nmiddle\n${readmeBlock(flow, "old flow\n")}\noutro\n`);
        assert.throws(() => replaceReadmeBlock("no markers here", architecture, "x"), /README\.md has no <!-- architecture:develop:start/);
    });

    it("draws a state machine's transitions, choice rules, waits and catchers (one arrow per target)", () => {
        const mermaid = stateMachineMermaid({
            StartAt: "Check",
            States: {
                Check: { Type: "Task", Next: "Decide", Catch: [{ ErrorEquals: ["A"], Next: "Failed" }, { ErrorEquals: ["States.ALL"], Next: "Failed" }] },
                Decide: { Type: "Choice", Choices: [{ Variable: "$.ok", BooleanEquals: true, Next: "Done" }], Default: "Pause" },
                Pause: { Type: "Wait", Seconds: 5, Next: "Check" },
                Done: { Type: "Succeed" },
                Failed: { Type: "Fail" },
            },
        });
        assert.equal(
            mermaid,
            [
                "stateDiagram-v2",
                "    [*] --> Check",
                "    Check --> Decide",
                "    Check --> Failed: catch A, States.ALL",
                "    Decide --> Done: $.ok BooleanEquals true",
                "    Decide --> Pause: otherwise",
                "    Pause --> Check: after 5 s",
                "    Done --> [*]",
                "    Failed --> [*]",
                "",
            ].join("\n"),
        );
    });

    it("README.md holds the develop stack's current pictures (regenerate: npm run snapshots)", async () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        for (const { id, block } of readmeBlocks(await synth("develop"))) {
            const current = extractReadmeBlock(readme, id);
            assert.ok(current, `README.md lost its generated ${id.kind} block`);
            assert.equal(current, block, `README.md's ${id.kind} picture is stale: run \`npm run snapshots\``);
        }
    });

    it("shows the data path client → API → queue → dispatch → state machine → task → bucket → callback", async () => {
        const { edges } = buildDiagram(await synth("develop"));
        const arrows = new Set(edges.map((e) => `${e.from} -> ${e.to}`));
        for (const hop of [
            "client -> app_http_api",
            "app_http_api -> app_api_function",
            "app_api_function -> prover_work_queue",
            "prover_work_queue -> app_prover_dispatch_function",
            "app_prover_dispatch_function -> prover_dispatcher",
            "prover_dispatcher -> prover_task",
            "prover_task -> prover_bundles",
            "prover_dispatcher -> app_finalize_callback_function",
            "app_finalize_callback_function -> app_sessions_table",
            "prover_work_queue -> prover_work_dlq",
        ]) {
            assert.ok(arrows.has(hop), `missing ${hop}; have ${[...arrows].join(", ")}`);
        }
    });
});
