/**
 * Who may deploy: the caller must be in the stack's one allowed account and, where configured, match
 * the deployer role pattern (as the earlier setup's assume-role restriction did). Checked before
 * any resource is registered.
 */
import { StackSettings } from "./config";
import { arnPatternToRegExp } from "./rules";

export interface CallerIdentity {
    accountId: string;
    arn: string;
}

export class DeployerNotAllowedError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`This identity may not deploy the stack:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "DeployerNotAllowedError";
    }
}

export function deployerProblems(
    settings: Pick<StackSettings, "accountId" | "deployerRoleArnPattern">,
    identity: CallerIdentity,
): string[] {
    const problems: string[] = [];
    if (identity.accountId !== settings.accountId) {
        problems.push(`aws:allowedAccountIds: the caller is in account ${identity.accountId}, the stack deploys only to ${settings.accountId}`);
    }
    const pattern = settings.deployerRoleArnPattern;
    if (pattern !== undefined && !arnPatternToRegExp(pattern).test(identity.arn)) {
        problems.push(`stark-ballot-simulator:deployerRoleArnPattern: caller ${identity.arn} does not match ${pattern}`);
    }
    return problems;
}

export function assertDeployerAllowed(settings: Pick<StackSettings, "accountId" | "deployerRoleArnPattern">, identity: CallerIdentity): void {
    const problems = deployerProblems(settings, identity);
    if (problems.length > 0) throw new DeployerNotAllowedError(problems);
}
