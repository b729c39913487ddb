import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { vpcCidrProblems } from "../builders/cidr";
import { nonEmptyProblem, problemsOf, throwIfInvalidArgs } from "../builders/componentArgs";
import { physicalName } from "../builders/names";
import { NETWORK_DEFAULTS, type NetworkMode } from "../builders/networkSettings";

export { NETWORK_DEFAULTS, type NetworkMode } from "../builders/networkSettings";

export interface NetworkArgs {
    /** Environment name; by default the suffix of physical names and Name tags. Required. */
    environment: string;
    /**
     * Suffix of every physical name (builders/names.ts): the stack's name scope, so a second stack
     * in the same account collides with nothing. Default: the environment name.
     */
    nameScope?: string;
    /** Region, for the VPC endpoint service names. Required. */
    region: string;
    /**
     * `public`: tasks in public subnets with a public IP, no NAT (parity).
     * `private`: tasks in private subnets reaching ECR, CloudWatch Logs and S3 through VPC endpoints,
     * still no NAT. Default: `NETWORK_DEFAULTS.mode` (`public`).
     */
    mode?: NetworkMode;
    /** VPC CIDR. Default: `10.0.0.0/16` (parity). */
    cidrBlock?: string;
    /** One public subnet CIDR per AZ. Default: `10.0.1.0/24`, `10.0.2.0/24` (parity). */
    publicSubnetCidrs?: [string, string];
    /** One private subnet CIDR per AZ (private mode). Default: `10.0.11.0/24`, `10.0.12.0/24`. */
    privateSubnetCidrs?: [string, string];
}

/** Interface endpoints a Fargate task needs to start without internet access: pull image, write logs. */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs"] as const;

const HTTPS = 443;
/** Subnets are keyed by their AZ slot ("a", "b"), which never changes, not by list position. */
const SUBNET_SLOTS = ["a", "b"] as const;

/** Every problem with the arguments at once, each naming the argument and the rule. */
export function validateNetworkArgs(args: NetworkArgs): string[] {
    const mode = args.mode ?? NETWORK_DEFAULTS.mode;
    const publicCidrs = args.publicSubnetCidrs ?? NETWORK_DEFAULTS.publicSubnetCidrs;
    // The private blocks exist (and must fit) only in private mode.
    const privateCidrs = mode === "private" ? (args.privateSubnetCidrs ?? NETWORK_DEFAULTS.privateSubnetCidrs) : [];
    const subnets = Object.fromEntries([
        ...publicCidrs.map((c, i) => [`publicSubnetCidrs[${i}]`, c]),
        ...privateCidrs.map((c, i) => [`privateSubnetCidrs[${i}]`, c]),
    ]);
    return [
        ...problemsOf(
            nonEmptyProblem("environment", args.environment),
            nonEmptyProblem("region", args.region),
            mode === "public" || mode === "private" ? undefined : `mode: "${mode}" must be "public" or "private"`,
        ),
        ...vpcCidrProblems("cidrBlock", args.cidrBlock ?? NETWORK_DEFAULTS.cidrBlock, subnets),
    ];
}

/**
 * The prover's network: a two-AZ VPC whose only inbound path is none. The prover task security
 * group has no ingress and allows egress on TCP 443 only (S3, ECR, CloudWatch Logs).
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly privateSubnetIds: pulumi.Output<string>[];
    /** Subnets the prover task runs in (public or private, by mode). */
    readonly taskSubnetIds: pulumi.Output<string>[];
    readonly proverSecurityGroupId: pulumi.Output<string>;
    /** Whether tasks need a public IP to reach AWS APIs (public mode). */
    readonly assignPublicIp: boolean;
    readonly mode: NetworkMode;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super: a bad argument must fail before this component or any child is registered.
        throwIfInvalidArgs("Network", name, validateNetworkArgs(args));
        super("stark:network:Network", name, {}, opts);
        const child = { parent: this };
        const mode = args.mode ?? NETWORK_DEFAULTS.mode;
        const cidrBlock = args.cidrBlock ?? NETWORK_DEFAULTS.cidrBlock;
        const publicCidrs = args.publicSubnetCidrs ?? NETWORK_DEFAULTS.publicSubnetCidrs;
        const privateCidrs = args.privateSubnetCidrs ?? NETWORK_DEFAULTS.privateSubnetCidrs;
        const tagName = (role: string) => ({ Name: physicalName(role, args.nameScope ?? args.environment) });

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock, enableDnsSupport: true, enableDnsHostnames: true, tags: tagName("vpc") },
            child,
        );

        // Adopting the default security group with no rules leaves nothing usable by accident.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [], tags: tagName("default") }, child);

        const zones = aws.getAvailabilityZonesOutput({ state: "available" }, child);
        const zoneName = (index: number) =>
            zones.names.apply((names) => {
                if (names.length < 2) throw new Error(`Network ${name}: region ${args.region} has fewer than two available AZs`);
                return names[index];
            });

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tagName("igw") }, child);
        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public-rt`,
            { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tagName("public") },
            child,
        );

        this.publicSubnetIds = slotSubnets(name, "public", vpc, publicRoutes, { cidrs: publicCidrs, zoneName, tagName }, this);

        this.privateSubnetIds =
            mode === "private" ? createPrivateSubnets(name, args, vpc, { cidrBlock, privateCidrs, zoneName, tagName }, this) : [];

        const proverSg = new aws.ec2.SecurityGroup(
            `${name}-prover-sg`,
            {
                vpcId: vpc.id,
                name: physicalName("prover-task", args.nameScope ?? args.environment),
                description: "Prover task: no ingress, HTTPS egress only",
                ingress: [],
                egress: [{ protocol: "tcp", fromPort: HTTPS, toPort: HTTPS, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS to AWS APIs" }],
                tags: tagName("prover-task"),
            },
            child,
        );

        this.mode = mode;
        this.vpcId = vpc.id;
        this.taskSubnetIds = mode === "private" ? this.privateSubnetIds : this.publicSubnetIds;
        this.proverSecurityGroupId = proverSg.id;
        this.assignPublicIp = mode === "public";
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            taskSubnetIds: this.taskSubnetIds,
            proverSecurityGroupId: this.proverSecurityGroupId,
            assignPublicIp: this.assignPublicIp,
        });
    }
}

/**
 * Private mode: two private subnets without a route out, reaching ECR and CloudWatch Logs through
 * interface endpoints (HTTPS from inside the VPC only) and S3 through the gateway endpoint.
 */
function createPrivateSubnets(
    name: string,
    args: NetworkArgs,
    vpc: aws.ec2.Vpc,
    n: { cidrBlock: string; privateCidrs: readonly [string, string]; zoneName: (index: number) => pulumi.Output<string>; tagName: (role: string) => { Name: string } },
    parent: pulumi.Resource,
): pulumi.Output<string>[] {
    const { cidrBlock, privateCidrs, zoneName, tagName } = n;
    const child = { parent };
    const privateRoutes = new aws.ec2.RouteTable(`${name}-private-rt`, { vpcId: vpc.id, tags: tagName("private") }, child);
    const privateSubnetIds = slotSubnets(name, "private", vpc, privateRoutes, { cidrs: privateCidrs, zoneName, tagName }, parent);

    const endpointSg = new aws.ec2.SecurityGroup(
        `${name}-endpoints-sg`,
        {
            vpcId: vpc.id,
            name: physicalName("vpc-endpoints", args.nameScope ?? args.environment),
            description: "HTTPS from inside the VPC to interface endpoints",
            ingress: [{ protocol: "tcp", fromPort: HTTPS, toPort: HTTPS, cidrBlocks: [cidrBlock], description: "HTTPS from the VPC" }],
            egress: [],
            tags: tagName("vpc-endpoints"),
        },
        child,
    );
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
        new aws.ec2.VpcEndpoint(
            `${name}-${service.replace(".", "-")}-endpoint`,
            {
                vpcId: vpc.id,
                serviceName: `com.amazonaws.${args.region}.${service}`,
                vpcEndpointType: "Interface",
                privateDnsEnabled: true,
                subnetIds: privateSubnetIds,
                securityGroupIds: [endpointSg.id],
                tags: tagName(`${service.replace(".", "-")}-endpoint`),
            },
            child,
        );
    }
    // ECR stores image layers in S3: the gateway endpoint carries them (and the proof objects).
    new aws.ec2.VpcEndpoint(
        `${name}-s3-endpoint`,
        {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${args.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: [privateRoutes.id],
            tags: tagName("s3-endpoint"),
        },
        child,
    );
    return privateSubnetIds;
}

/**
 * One subnet per AZ slot with its route table association. No subnet assigns public IPs on
 * launch: a public-mode task gets one from RunTask (AssignPublicIp), not from the subnet default.
 */
function slotSubnets(
    name: string,
    kind: "public" | "private",
    vpc: aws.ec2.Vpc,
    routes: aws.ec2.RouteTable,
    n: { cidrs: readonly [string, string]; zoneName: (index: number) => pulumi.Output<string>; tagName: (role: string) => { Name: string } },
    parent: pulumi.Resource,
): pulumi.Output<string>[] {
    const child = { parent };
    return SUBNET_SLOTS.map((slot, i) => {
        const subnet = new aws.ec2.Subnet(
            `${name}-${kind}-${slot}`,
            { vpcId: vpc.id, cidrBlock: n.cidrs[i], availabilityZone: n.zoneName(i), mapPublicIpOnLaunch: false, tags: n.tagName(`${kind}-${slot}`) },
            child,
        );
        new aws.ec2.RouteTableAssociation(`${name}-${kind}-${slot}-rta`, { subnetId: subnet.id, routeTableId: routes.id }, child);
        return subnet.id;
    });
}
