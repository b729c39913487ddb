/**
 * Class (c): a reservation that assumes a quota. Lambda refuses a reserved concurrency that would
 * leave the account's unreserved pool below its minimum (AWS: "You can reserve up to the
 * Unreserved account concurrency value minus 100"), and new accounts often have a concurrency
 * quota of 10, where any reservation fails. Whether it fits depends on the account, which a
 * preview cannot see; so a reservation is accepted only when the operator states the account's
 * quota in this policy's config (`accountConcurrencyLimit`, the value `npm run preflight` reads
 * from the account) and the stack's reservations fit it.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 *
 * Also: an SQS event source whose maximumConcurrency exceeds its function's reservation only
 * throttles the poller, and throttled messages count toward the DLQ's receives.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 */
import { StackResource, StackRule, StackViolation } from "../lib/types";
import { isRecord, knownValue, parseJsonValue } from "../lib/values";
import { FUNCTION_TYPE } from "./lambda";

export const EVENT_SOURCE_MAPPING_TYPE = "aws:lambda/eventSourceMapping:EventSourceMapping";
/** Lambda keeps at least this many executions unreserved. */
export const UNRESERVED_MINIMUM = 100;
const SOURCE = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html";

const reservationOf = (f: StackResource): number | undefined => {
    const value = knownValue(f.props, "reservedConcurrentExecutions");
    // 0 reserves nothing from the pool (it stops the function); -1 is the provider's "unset".
    return typeof value === "number" && value > 0 ? value : undefined;
};

/** The function an event source mapping invokes: `functionName` holds its name or (qualified) ARN. */
function mappedFunction(mapping: StackResource, functions: readonly StackResource[]): StackResource | undefined {
    const target = knownValue(mapping.props, "functionName");
    if (typeof target !== "string") return undefined;
    return functions.find((f) =>
        [knownValue(f.props, "arn"), knownValue(f.props, "name"), f.id].some((v) => typeof v === "string" && v !== "" && (target === v || target.startsWith(`${v}:`))),
    );
}

export function checkReservedConcurrency(resources: readonly StackResource[], context: { config: Record<string, unknown> }): StackViolation[] {
    const functions = resources.filter((r) => r.type === FUNCTION_TYPE);
    const reserving = functions.filter((f) => reservationOf(f) !== undefined);
    const violations: StackViolation[] = [];

    const limitValue = context.config.accountConcurrencyLimit;
    const limit = typeof limitValue === "number" ? limitValue : typeof limitValue === "string" && /^\d+$/.test(limitValue) ? Number(limitValue) : undefined;
    const total = reserving.reduce((sum, f) => sum + (reservationOf(f) ?? 0), 0);
    if (limit === undefined) {
        for (const f of reserving) {
            violations.push({
                urn: f.urn,
                message: `reserves ${reservationOf(f)} concurrent executions, which assumes the account's concurrency quota leaves ${UNRESERVED_MINIMUM} unreserved (Lambda refuses it otherwise; new accounts often have a quota of 10, ${SOURCE}). Remove the reservation (an SQS event source's maximumConcurrency caps a consumer without one), or state the account's quota in this policy's config as accountConcurrencyLimit`,
            });
        }
    } else if (total > 0 && total + UNRESERVED_MINIMUM > limit) {
        violations.push({
            message: `the stack reserves ${total} concurrent executions; with the account's quota of ${limit} that leaves ${limit - total} unreserved, below Lambda's minimum of ${UNRESERVED_MINIMUM} (${SOURCE})`,
        });
    }

    for (const mapping of resources.filter((r) => r.type === EVENT_SOURCE_MAPPING_TYPE)) {
        const scaling = parseJsonValue(knownValue(mapping.props, "scalingConfig"));
        const maximum = isRecord(scaling) ? scaling.maximumConcurrency : undefined;
        const target = mappedFunction(mapping, functions);
        const reserved = target ? reservationOf(target) : undefined;
        if (typeof maximum === "number" && reserved !== undefined && maximum > reserved) {
            violations.push({
                urn: mapping.urn,
                message: `maximumConcurrency ${maximum} exceeds the reserved concurrency ${reserved} of the function it invokes: the poller is throttled and throttled messages count toward the queue's maxReceiveCount (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html)`,
            });
        }
    }
    return violations;
}

export const reservedConcurrencyRules: readonly StackRule[] = [
    {
        kind: "stack",
        name: "lambda-reserved-concurrency-fits-quota",
        description: "A Lambda reservation is made only against a stated account concurrency quota it fits (100 stay unreserved), and never below its SQS event source's maximumConcurrency.",
        enforcementLevel: "mandatory",
        check: checkReservedConcurrency,
        configSchema: {
            properties: {
                accountConcurrencyLimit: {
                    type: "string",
                    description: "The account's Lambda concurrent executions quota in this region (digits), e.g. \"1000\"; required before any function may reserve concurrency.",
                },
            },
        },
    },
];
