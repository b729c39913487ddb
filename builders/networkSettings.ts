/**
 * Defaults of the prover's network in one place (SPEC §4 Network, parity values): the Network
 * component's arg defaults and the stack key `networkMode` read them. Pure: no Pulumi imports.
 */

/** `public`: tasks in public subnets with a public IP, no NAT (parity); `private`: VPC endpoints, still no NAT. */
export const NETWORK_MODES = ["public", "private"] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

export const NETWORK_DEFAULTS = {
    mode: "public" as NetworkMode,
    cidrBlock: "10.0.0.0/16",
    publicSubnetCidrs: ["10.0.1.0/24", "10.0.2.0/24"] as [string, string],
    privateSubnetCidrs: ["10.0.11.0/24", "10.0.12.0/24"] as [string, string],
};
