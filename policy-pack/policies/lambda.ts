/**
 * Functions run on a runtime AWS still patches, and receive no credentials in plain environment
 * variables (SPEC §4: secrets are read at run time from SSM or Secrets Manager).
 *
 * Runtime rule: the runtime must run on Amazon Linux 2023 (Amazon Linux 2 reached end of support on
 * 2026-06-30) and its deprecation date in AWS's runtime table must not have passed (table reviewed
 * 2026-11-23: nodejs20.x was deprecated 2026-04-30, dotnet8 2026-11-10). That gives the floors
 * below; newer versions of a family pass without a change here. Container-image functions have no
 * runtime and are not judged.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
import { looksLikeCredentialName } from "../lib/credentials";
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule } from "../lib/types";
import { isRecord } from "../lib/values";

export const FUNCTION_TYPE = "aws:lambda/function:Function";

interface RuntimeFamily {
    pattern: RegExp;
    /** Oldest allowed version as [major, minor]. */
    floor: [number, number];
    oldestAllowed: string;
}

const RUNTIME_FAMILIES: readonly RuntimeFamily[] = [
    { pattern: /^nodejs(\d+)\.x$/, floor: [22, 0], oldestAllowed: "nodejs22.x" },
    { pattern: /^python(\d+)\.(\d+)$/, floor: [3, 12], oldestAllowed: "python3.12" },
    { pattern: /^java(\d+)$/, floor: [21, 0], oldestAllowed: "java21" },
    { pattern: /^dotnet(\d+)$/, floor: [10, 0], oldestAllowed: "dotnet10" },
    { pattern: /^ruby(\d+)\.(\d+)$/, floor: [3, 3], oldestAllowed: "ruby3.3" },
];
/** OS-only runtimes: only the Amazon Linux 2023 one (`provided` and `provided.al2` are AL1/AL2). */
const OS_ONLY_RUNTIMES = ["provided.al2023"];

export function runtimeProblem(runtime: string): string | undefined {
    if (OS_ONLY_RUNTIMES.includes(runtime)) return undefined;
    for (const family of RUNTIME_FAMILIES) {
        const match = family.pattern.exec(runtime);
        if (!match) continue;
        const [major, minor] = [Number(match[1]), Number(match[2] ?? 0)];
        const [floorMajor, floorMinor] = family.floor;
        const allowed = major > floorMajor || (major === floorMajor && minor >= floorMinor);
        return allowed ? undefined : `runtime "${runtime}" is deprecated or out of support; use ${family.oldestAllowed} or newer`;
    }
    return `runtime "${runtime}" is not a supported Lambda runtime; use an Amazon Linux 2023 runtime such as nodejs22.x`;
}

export function checkLambdaRuntime(_type: string, props: Props): string[] {
    if (props.packageType === "Image") return [];
    if (typeof props.runtime !== "string" || props.runtime === "") return ["function must set a runtime"];
    const problem = runtimeProblem(props.runtime);
    return problem === undefined ? [] : [problem];
}

export function checkLambdaPlaintextSecrets(_type: string, props: Props): string[] {
    const variables = isRecord(props.environment) && isRecord(props.environment.variables) ? props.environment.variables : {};
    // Only names are read: values are often outputs that are unknown during a preview.
    return Object.keys(variables)
        .filter(looksLikeCredentialName)
        .map((name) => `environment variable "${name}" looks like a credential; store it in SSM Parameter Store or Secrets Manager and read it at run time`);
}

export const lambdaRules: readonly ResourceRule[] = [
    resourceRule("lambda-supported-runtime", "Every Lambda function uses a supported Amazon Linux 2023 runtime (nodejs22.x, python3.12, java21, dotnet10, ruby3.3, provided.al2023 or newer).", [FUNCTION_TYPE], checkLambdaRuntime),
    resourceRule(
        "lambda-no-plaintext-secrets",
        "No Lambda function receives a credential through a plain environment variable.",
        [FUNCTION_TYPE],
        checkLambdaPlaintextSecrets,
    ),
];
