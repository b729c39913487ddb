/**
 * A Mermaid picture of a synthesized stack, derived from the resources themselves so it cannot drift
 * from the program: one subgraph per top-level component holding its main resources, and an arrow
 * wherever one main resource's inputs name another (an ARN, URL, name or id the mocks gave it), or a
 * connector resource (event source mapping, API integration) joins two of them. The client enters at
 * the HTTP API. Pure apart from `mockState`, which re-derives the identities AWS would assign.
 *
 * What is left out on purpose: IAM roles and policies (every resource has one; they say who *may*
 * act, not where data flows), alarms and the dashboard (they reference everything they watch), and
 * log groups, subnets and other plumbing.
 */
import { mockState } from "./mockCloud";
import type { SynthResource, SynthResult } from "./synthesize";

/** The resource types drawn, with the label shown under the logical name. */
export const MAIN_RESOURCE_LABELS: Readonly<Record<string, string>> = {
    "aws:apigatewayv2/api:Api": "HTTP API",
    "aws:appsync/graphQLApi:GraphQLApi": "AppSync GraphQL API",
    "aws:lambda/function:Function": "Lambda function",
    "aws:sqs/queue:Queue": "SQS queue",
    "aws:sfn/stateMachine:StateMachine": "Step Functions state machine",
    "aws:ecs/cluster:Cluster": "ECS cluster",
    "aws:ecs/taskDefinition:TaskDefinition": "Fargate task definition",
    "aws:ecr/repository:Repository": "ECR repository",
    "aws:s3/bucket:Bucket": "S3 bucket",
    "aws:s3/bucketV2:BucketV2": "S3 bucket",
    "aws:dynamodb/table:Table": "DynamoDB table",
    "aws:sns/topic:Topic": "SNS topic",
    "aws:cloudtrail/trail:Trail": "CloudTrail trail",
    "aws:ec2/vpc:Vpc": "VPC",
};

/** Resources that exist only to join two others: the arrow goes from `from` to `to`, labelled. */
const CONNECTORS: Readonly<Record<string, { from: string; to: string; label: string }>> = {
    "aws:lambda/eventSourceMapping:EventSourceMapping": { from: "eventSourceArn", to: "functionName", label: "event source" },
    "aws:apigatewayv2/integration:Integration": { from: "apiId", to: "integrationUri", label: "integration" },
};

/** Attributes of a resource's state that other resources use to refer to it. */
const IDENTITY_ATTRIBUTES = ["arn", "url", "name", "bucket", "repositoryUrl", "invokeArn", "apiEndpoint"];

/** Shorter identities are matched only as a whole value: inside longer text they would match by accident. */
const MIN_IDENTITY_LENGTH = 12;

export interface DiagramNode {
    id: string;
    urn: string;
    label: string;
    component: string;
}

export interface DiagramEdge {
    from: string;
    to: string;
    label?: string;
}

export interface Diagram {
    components: Array<{ id: string; title: string; nodes: DiagramNode[] }>;
    edges: DiagramEdge[];
}

const CLIENT_ID = "client";

const mermaidId = (text: string) => text.replace(/[^A-Za-z0-9]+/g, "_");

function topLevelComponent(result: SynthResult, resource: SynthResource): SynthResource | undefined {
    const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
    let current: SynthResource | undefined = resource.parent ? byUrn.get(resource.parent) : undefined;
    while (current?.parent && byUrn.get(current.parent)) current = byUrn.get(current.parent);
    return current;
}

/** Every string by which other resources may name this one (its id and identity attributes). */
function identities(resource: SynthResource, result: SynthResult): string[] {
    const { id, state } = mockState(resource.type, resource.name, resource.inputs, result.account);
    const values = [id, ...IDENTITY_ATTRIBUTES.map((key) => state[key])];
    return [...new Set(values.filter((v): v is string => typeof v === "string" && v.length > 0))];
}

/** True when `text` holds `identity` as a whole token (not as part of a longer name). */
function mentions(text: string, identity: string): boolean {
    const boundary = /[A-Za-z0-9_-]/;
    for (let at = text.indexOf(identity); at >= 0; at = text.indexOf(identity, at + 1)) {
        const before = text[at - 1];
        const after = text[at + identity.length];
        if ((before === undefined || !boundary.test(before)) && (after === undefined || !boundary.test(after))) return true;
    }
    return false;
}

export function buildDiagram(result: SynthResult): Diagram {
    const main = result.resources.filter((r) => r.custom && MAIN_RESOURCE_LABELS[r.type]);
    const nodes: DiagramNode[] = main.map((r) => {
        const component = topLevelComponent(result, r);
        return {
            id: mermaidId(r.name),
            urn: r.urn,
            label: `${r.name}<br/><i>${MAIN_RESOURCE_LABELS[r.type]}</i>`,
            component: component?.urn ?? "(stack)",
        };
    });
    const nodeByUrn = new Map(nodes.map((n) => [n.urn, n]));
    // A name two resources share (an ECS cluster, its task family and the ECR repository are all
    // `…-prover-<env>`) says nothing about which one is meant: such names are not used as identities.
    const allIdentities = main.map((r) => ({ node: nodeByUrn.get(r.urn) as DiagramNode, identities: identities(r, result) }));
    const owners = new Map<string, number>();
    for (const entry of allIdentities) for (const i of entry.identities) owners.set(i, (owners.get(i) ?? 0) + 1);
    const identityIndex = allIdentities.map((e) => ({ node: e.node, identities: e.identities.filter((i) => owners.get(i) === 1) }));
    const referenced = (value: unknown, self?: string): DiagramNode[] => {
        const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
        const named = (i: string) => i === value || (i.length >= MIN_IDENTITY_LENGTH && mentions(text, i));
        return identityIndex.filter((e) => e.node.urn !== self && e.identities.some(named)).map((e) => e.node);
    };

    const edges = new Map<string, DiagramEdge>();
    const addEdge = (edge: DiagramEdge) => {
        const key = `${edge.from}->${edge.to}`;
        if (edge.from !== edge.to && !edges.has(key)) edges.set(key, edge);
    };
    for (const api of main.filter((r) => r.type === "aws:apigatewayv2/api:Api")) {
        addEdge({ from: CLIENT_ID, to: (nodeByUrn.get(api.urn) as DiagramNode).id, label: "HTTPS" });
    }
    for (const r of main) {
        const from = nodeByUrn.get(r.urn) as DiagramNode;
        for (const to of referenced(r.inputs, r.urn)) addEdge({ from: from.id, to: to.id });
    }
    for (const r of result.resources.filter((x) => CONNECTORS[x.type])) {
        const connector = CONNECTORS[r.type];
        for (const from of referenced(r.inputs[connector.from])) {
            for (const to of referenced(r.inputs[connector.to])) addEdge({ from: from.id, to: to.id, label: connector.label });
        }
    }

    const componentTitle = (urn: string) => {
        const [type, name] = urn.split("::");
        return urn === "(stack)" ? "stack" : `${type.split(":").pop()}: ${name}`;
    };
    // Sorted, so the rendering depends on the resources alone, not on the order they registered in.
    const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const componentUrns = [...new Set(nodes.map((n) => n.component))].sort(byText);
    return {
        components: componentUrns.map((urn) => ({
            id: mermaidId(`component ${urn}`),
            title: componentTitle(urn),
            nodes: nodes.filter((n) => n.component === urn).sort((a, b) => byText(a.id, b.id)),
        })),
        edges: [...edges.values()].sort((a, b) => byText(`${a.from} ${a.to}`, `${b.from} ${b.to}`)),
    };
}

/** The diagram as a Mermaid flowchart (the text GitHub renders inside a ```mermaid block). */
export function renderMermaid(diagram: Diagram): string {
    const lines = ["flowchart LR", `    ${CLIENT_ID}([client])`];
    for (const component of diagram.components) {
        lines.push(`    subgraph ${component.id}["${component.title}"]`);
        for (const node of component.nodes) lines.push(`        ${node.id}["${node.label}"]`);
        lines.push("    end");
    }
    for (const edge of diagram.edges) {
        lines.push(edge.label ? `    ${edge.from} -->|${edge.label}| ${edge.to}` : `    ${edge.from} --> ${edge.to}`);
    }
    return `${lines.join("\n")}\n`;
}

/** A generated README block: which picture, of which stack. */
export interface ReadmeBlockId {
    kind: "architecture" | "state-machine";
    stack: string;
}

export const README_MARKERS = {
    start: (id: ReadmeBlockId) => `<!-- ${id.kind}:${id.stack}:start (generated by \`npm run snapshots\`; do not edit) -->`,
    end: (id: ReadmeBlockId) => `<!-- ${id.kind}:${id.stack}:end -->`,
};

/** The README block: markers around a fenced Mermaid diagram. */
export function readmeBlock(id: ReadmeBlockId, mermaid: string): string {
    return `${README_MARKERS.start(id)}\n\`\`\`mermaid\n${mermaid}\`\`\`\n${README_MARKERS.end(id)}`;
}

/** The block as the README holds it today, or undefined when the markers are missing. */
export function extractReadmeBlock(readme: string, id: ReadmeBlockId): string | undefined {
    const start = readme.indexOf(README_MARKERS.start(id));
    const endMarker = README_MARKERS.end(id);
    const end = readme.indexOf(endMarker, start);
    if (start < 0 || end < 0) return undefined;
    return readme.slice(start, end + endMarker.length);
}

/** The README with the block replaced by `block`; throws when the markers are missing. */
export function replaceReadmeBlock(readme: string, id: ReadmeBlockId, block: string): string {
    const current = extractReadmeBlock(readme, id);
    if (current === undefined) throw new Error(`README.md has no ${README_MARKERS.start(id)} … ${README_MARKERS.end(id)} block`);
    return readme.replace(current, () => block);
}

// ---------------------------------------------------------------------------------------------------
// The state machine's flow, from the definition the stack deploys.

interface AslState {
    Type: string;
    Next?: string;
    End?: boolean;
    Default?: string;
    Seconds?: number;
    Choices?: Array<{ Variable?: string; Next: string; [test: string]: unknown }>;
    Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
}

const choiceLabel = (rule: { Variable?: string; [test: string]: unknown }): string => {
    const test = Object.entries(rule).find(([key]) => key !== "Variable" && key !== "Next");
    return test ? `${rule.Variable ?? ""} ${test[0]} ${JSON.stringify(test[1])}`.trim() : "";
};

/** Mermaid `stateDiagram-v2` of a state machine definition: every transition, choice rule and catcher. */
export function stateMachineMermaid(definition: { StartAt: string; States: Record<string, AslState> }): string {
    const lines = ["stateDiagram-v2", `    [*] --> ${definition.StartAt}`];
    const edge = (from: string, to: string, label?: string) => lines.push(`    ${from} --> ${to}${label ? `: ${label.replace(/[:;]/g, " ")}` : ""}`);
    for (const [name, state] of Object.entries(definition.States)) {
        if (state.Type === "Choice") {
            for (const rule of state.Choices ?? []) edge(name, rule.Next, choiceLabel(rule));
            if (state.Default) edge(name, state.Default, "otherwise");
        } else if (state.Next) {
            edge(name, state.Next, state.Type === "Wait" && state.Seconds !== undefined ? `after ${state.Seconds} s` : undefined);
        }
        // Catchers that lead to the same state are drawn once, with every error they catch.
        const caught = new Map<string, string[]>();
        for (const c of state.Catch ?? []) caught.set(c.Next, [...(caught.get(c.Next) ?? []), ...c.ErrorEquals]);
        for (const [to, errors] of caught) edge(name, to, `catch ${errors.join(", ")}`);
        // Fail and Succeed states end the execution without an `End` field.
        if (state.End || state.Type === "Fail" || state.Type === "Succeed") lines.push(`    ${name} --> [*]`);
    }
    return `${lines.join("\n")}\n`;
}

/** The flow of the stack's prover state machine (the one `aws:sfn/stateMachine:StateMachine`). */
export function stackStateMachineMermaid(result: SynthResult): string {
    const machines = result.resources.filter((r) => r.type === "aws:sfn/stateMachine:StateMachine");
    if (machines.length !== 1) throw new Error(`expected one state machine in stack ${result.stack}, found ${machines.length}`);
    return stateMachineMermaid(JSON.parse(machines[0].inputs.definition));
}

/** Every generated README block of a stack, rendered fresh. */
export function readmeBlocks(result: SynthResult): Array<{ id: ReadmeBlockId; block: string }> {
    return [
        { id: { kind: "architecture", stack: result.stack }, block: readmeBlock({ kind: "architecture", stack: result.stack }, renderMermaid(buildDiagram(result))) },
        { id: { kind: "state-machine", stack: result.stack }, block: readmeBlock({ kind: "state-machine", stack: result.stack }, stackStateMachineMermaid(result)) },
    ];
}
