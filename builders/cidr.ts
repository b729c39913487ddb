/**
 * IPv4 CIDR arithmetic for the network's argument check. A VPC's and a subnet's IPv4 block are
 * each from /16 to /28, a subnet's lies inside its VPC's, and no two subnets of a VPC overlap.
 * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html
 */

export interface Ipv4Block {
    /** First address as an unsigned 32-bit number. */
    start: number;
    prefixLength: number;
}

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(\\d|[12]\\d|3[0-2])$`);

/** The block, or undefined when `text` is not an IPv4 CIDR whose address is the block's first. */
export function parseIpv4Cidr(text: string): Ipv4Block | undefined {
    const match = CIDR.exec(text);
    if (!match) return undefined;
    const address = match.slice(1, 5).reduce((a, octet) => a * 256 + Number(octet), 0);
    const prefixLength = Number(match[5]);
    const size = 2 ** (32 - prefixLength);
    // EC2 answers InvalidParameterValue for host bits set (10.0.1.5/24).
    if (address % size !== 0) return undefined;
    return { start: address, prefixLength };
}

const end = (b: Ipv4Block) => b.start + 2 ** (32 - b.prefixLength);

export function contains(outer: Ipv4Block, inner: Ipv4Block): boolean {
    return inner.start >= outer.start && end(inner) <= end(outer);
}

export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
    return a.start < end(b) && b.start < end(a);
}

/** VPC and subnet IPv4 blocks are from /16 to /28. */
export const VPC_PREFIX_LENGTHS = [16, 28] as const;

/**
 * Every problem of a VPC block and its subnets: malformed, outside /16-/28, outside the VPC, or
 * overlapping another subnet. `subnets` maps each argument path (e.g. `publicSubnetCidrs[0]`) to its block.
 */
export function vpcCidrProblems(vpcKey: string, vpcCidr: string, subnets: Readonly<Record<string, string>>): string[] {
    const problems: string[] = [];
    const [shortest, longest] = VPC_PREFIX_LENGTHS;
    const parse = (key: string, text: string) => {
        const block = parseIpv4Cidr(text);
        if (block === undefined) problems.push(`${key}: "${text}" is not an IPv4 CIDR block (a.b.c.d/n with no host bits set)`);
        else if (block.prefixLength < shortest || block.prefixLength > longest) problems.push(`${key}: "${text}" must be from /${shortest} to /${longest}`);
        else return block;
        return undefined;
    };
    const vpc = parse(vpcKey, vpcCidr);
    const parsed: [string, Ipv4Block][] = [];
    for (const [key, text] of Object.entries(subnets)) {
        const block = parse(key, text);
        if (block === undefined) continue;
        if (vpc !== undefined && !contains(vpc, block)) problems.push(`${key}: "${text}" is not inside ${vpcKey} "${vpcCidr}"`);
        const other = parsed.find(([, b]) => overlaps(b, block));
        if (other !== undefined) problems.push(`${key}: "${text}" overlaps ${other[0]} "${subnets[other[0]]}"`);
        parsed.push([key, block]);
    }
    return problems;
}
