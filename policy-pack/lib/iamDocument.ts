/**
 * Reading IAM policy documents: normalizing statements and the catalogue-free checks. Only Allow
 * statements are judged for breadth: a Deny only ever removes permissions, and the TLS-only
 * resource policies deliberately Deny `s3:*` / `sqs:*` to everyone.
 */
import { asArray, isRecord, parseJsonValue } from "./values";

export interface NormalizedStatement {
    /** `statement "Sid"`, or `statement[index]` when it has no Sid. */
    label: string;
    effect: string;
    actions: string[];
    notActions: string[];
    resources: string[];
    notResources: string[];
    principal: unknown;
    condition: Record<string, any>;
}

export type ParsedPolicyDocument = { ok: true; statements: NormalizedStatement[] } | { ok: false; problem: string };

/** What the document checks need from the IAM catalogue (kept apart so tests can reason about it). */
export interface ActionCatalogue {
    isKnownAction(action: string): boolean;
    actionSupportsResourceScoping(action: string): boolean;
}

const strings = (value: unknown): string[] => asArray(value as unknown).filter((v): v is string => typeof v === "string");

export function parsePolicyDocument(document: unknown): ParsedPolicyDocument {
    const parsed = parseJsonValue(document);
    if (!isRecord(parsed)) return { ok: false, problem: "policy document is not a JSON object" };
    const raw = asArray(parsed.Statement as unknown);
    if (raw.length === 0) return { ok: false, problem: "policy document has no Statement" };
    const statements: NormalizedStatement[] = [];
    for (const [index, statement] of raw.entries()) {
        if (!isRecord(statement)) return { ok: false, problem: `statement[${index}] is not an object` };
        statements.push({
            label: typeof statement.Sid === "string" && statement.Sid !== "" ? `statement "${statement.Sid}"` : `statement[${index}]`,
            effect: String(statement.Effect ?? ""),
            actions: strings(statement.Action),
            notActions: strings(statement.NotAction),
            resources: strings(statement.Resource),
            notResources: strings(statement.NotResource),
            principal: statement.Principal,
            condition: isRecord(statement.Condition) ? statement.Condition : {},
        });
    }
    return { ok: true, statements };
}

/** `*`, or every action of a service (`s3:*`); IAM matches actions case-insensitively. */
export function isWildcardAction(action: string): boolean {
    return action === "*" || /^[^:]+:\*$/.test(action);
}

/**
 * A resource that names nothing: `*`, or an ARN whose region, account and resource are all
 * wildcards or empty (`arn:aws:s3:::*`, `arn:aws:logs:*:*:*`).
 */
export function isUnscopedResource(resource: string): boolean {
    if (resource === "*") return true;
    const parts = resource.split(":");
    if (parts.length < 6 || parts[0] !== "arn") return false;
    const [, , , region, account] = parts;
    const rest = parts.slice(5).join(":");
    const open = (segment: string) => segment === "" || segment === "*";
    return rest === "*" && open(region) && open(account);
}

const allows = (s: NormalizedStatement) => s.effect === "Allow";

/** Allow statements granting every action (of a service), or everything but a list (NotAction). */
export function wildcardActionProblems(statements: readonly NormalizedStatement[]): string[] {
    const problems: string[] = [];
    for (const s of statements.filter(allows)) {
        for (const action of s.actions.filter(isWildcardAction)) problems.push(`${s.label} allows wildcard action "${action}"`);
        if (s.notActions.length > 0) problems.push(`${s.label} allows NotAction, which grants every action except those listed`);
    }
    return problems;
}

/** Actions the catalogue does not know (a typo grants nothing and hides the real need). */
export function unknownActionProblems(statements: readonly NormalizedStatement[], catalogue: ActionCatalogue): string[] {
    const problems: string[] = [];
    for (const s of statements) {
        for (const action of [...s.actions, ...s.notActions]) {
            if (!catalogue.isKnownAction(action)) problems.push(`${s.label} names unknown action "${action}"`);
        }
    }
    return problems;
}

/**
 * Allow statements on every resource (or every resource but some: NotResource) for actions that
 * accept a narrower resource. Actions that accept nothing narrower (`ecr:GetAuthorizationToken`,
 * `logs:CreateLogDelivery`) legitimately need `*`.
 */
export function unscopedResourceProblems(statements: readonly NormalizedStatement[], catalogue: ActionCatalogue): string[] {
    const problems: string[] = [];
    for (const s of statements.filter(allows)) {
        if (s.notResources.length > 0) {
            problems.push(`${s.label} allows NotResource, which grants every resource except those listed`);
        }
        if (!s.resources.some(isUnscopedResource)) continue;
        const scopable = s.actions.filter((action) => catalogue.actionSupportsResourceScoping(action));
        if (scopable.length > 0) {
            problems.push(`${s.label} allows Resource "*" for actions that accept a narrower resource: ${scopable.join(", ")}`);
        }
    }
    return problems;
}

/** Resource types whose properties hold IAM policy documents. */
export const IAM_DOCUMENT_TYPES: readonly string[] = [
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
];

export interface LocatedDocument {
    /** Where the document sits in the resource: `policy`, `assumeRolePolicy`, `inlinePolicies["name"]`. */
    location: string;
    document: unknown;
}

/** Every policy document a resource carries (none for types outside IAM_DOCUMENT_TYPES). */
export function policyDocumentsOf(type: string, props: Record<string, any>): LocatedDocument[] {
    if (!IAM_DOCUMENT_TYPES.includes(type)) return [];
    if (type !== "aws:iam/role:Role") return props.policy === undefined ? [] : [{ location: "policy", document: props.policy }];
    const documents: LocatedDocument[] = [];
    if (props.assumeRolePolicy !== undefined) documents.push({ location: "assumeRolePolicy", document: props.assumeRolePolicy });
    for (const [index, inline] of asArray(props.inlinePolicies as unknown).entries()) {
        if (!isRecord(inline) || inline.policy === undefined) continue;
        const name = typeof inline.name === "string" ? inline.name : String(index);
        documents.push({ location: `inlinePolicies["${name}"]`, document: inline.policy });
    }
    return documents;
}
