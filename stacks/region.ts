/**
 * One region: the stack's `aws:region` (required by the config parser) must be the region the AWS
 * provider actually deploys to. Every ARN the program derives (log group, state machine, trail,
 * function ARNs in IAM documents) names the configured region; resources go where the provider
 * points. A provider configured elsewhere (an explicit provider, or a setup that ignores the stack
 * config) would create resources in one region and grant access in another. Checked before any
 * resource is registered.
 */
import { StackSettings } from "./config";

export class RegionMismatchError extends Error {
    constructor(readonly configured: string, readonly provider: string) {
        super(
            `aws:region: the stack is configured for ${configured}, but the AWS provider deploys to ${provider}; ` +
                "derived ARNs would name the wrong region. Set aws:region to the region you deploy to, and let the AWS provider take its region from it.",
        );
        this.name = "RegionMismatchError";
    }
}

export function assertProviderRegion(settings: Pick<StackSettings, "region">, providerRegion: string): void {
    if (providerRegion !== settings.region) throw new RegionMismatchError(settings.region, providerRegion);
}
