import { EnforcementLevel, ResourceCheck, ResourceRule } from "./types";

/** A resource rule; mandatory unless the data behind it can lag AWS. */
export function resourceRule(
    name: string,
    description: string,
    resourceTypes: readonly string[],
    check: ResourceCheck,
    enforcementLevel: EnforcementLevel = "mandatory",
): ResourceRule {
    return { kind: "resource", name, description, enforcementLevel, resourceTypes, check };
}
