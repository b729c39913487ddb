/**
 * How a companion resource (public access block, bucket policy, lifecycle policy, redrive policy)
 * is tied to the resource it configures. The engine records which resources' outputs flowed into
 * each input (propertyDependencies): that link holds even while the values are unknown during a
 * preview. Without it (the offline synthesizer), the input's value is compared with the target's
 * identifiers.
 */
import { StackResource } from "./types";
import { parseJsonValue } from "./values";

export type RefersTo = (value: unknown, candidate: StackResource) => boolean;

/** The candidates `resource.props[property]` refers to. */
export function linkedResources(
    resource: StackResource,
    property: string,
    candidates: readonly StackResource[],
    refersTo: RefersTo,
): StackResource[] {
    const dependencies = resource.propertyDependencies?.[property] ?? [];
    if (dependencies.length > 0) return candidates.filter((c) => dependencies.includes(c.urn));
    const value = resource.props[property];
    if (value === undefined || value === null) return [];
    return candidates.filter((c) => refersTo(value, c));
}

/** The ways a resource can be named in another's input: id, physical name, ARN, URL. */
function identifiers(candidate: StackResource, nameKeys: readonly string[]): string[] {
    const values = [candidate.id, candidate.props.id, candidate.props.arn, candidate.props.url, ...nameKeys.map((k) => candidate.props[k])];
    return values.filter((v): v is string => typeof v === "string" && v !== "");
}

/** Buckets are referenced by name (which is also their id) or ARN. */
export const refersToBucket: RefersTo = (value, bucket) => typeof value === "string" && identifiers(bucket, ["bucket"]).includes(value);

/** Repositories are referenced by name (their id) or ARN. */
export const refersToRepository: RefersTo = (value, repository) =>
    typeof value === "string" && identifiers(repository, ["name"]).includes(value);

/**
 * Queues are referenced by URL (their id) or ARN; both end in the queue name, which is all the
 * offline synthesizer knows of a queue besides its inputs.
 */
export const refersToQueue: RefersTo = (value, queue) => {
    if (typeof value !== "string" || value === "") return false;
    if (identifiers(queue, []).includes(value)) return true;
    const name = queue.props.name;
    return typeof name === "string" && name !== "" && value.split(/[:/]/).pop() === name;
};

/** The DLQ ARN of an SQS redrive policy (a JSON string), if it names one. */
export function deadLetterTargetArn(redrivePolicy: unknown): string | undefined {
    const parsed = parseJsonValue(redrivePolicy) as { deadLetterTargetArn?: unknown } | undefined;
    const arn = parsed?.deadLetterTargetArn;
    return typeof arn === "string" && arn !== "" ? arn : undefined;
}

export const refersToDeadLetterQueue: RefersTo = (value, queue) => {
    const arn = deadLetterTargetArn(value);
    return arn !== undefined && refersToQueue(arn, queue);
};
