import * as assert from "node:assert/strict";
import { SynthResult } from "../../scripts/lib/synthesize";
import { find, findAll, synth } from "../support/synth";

const PRIVATE = { configOverrides: { "stark-ballot-simulator:networkMode": "private" } };

describe("Network (synthesized)", function () {
    let develop: SynthResult;
    let privateMode: SynthResult;
    before(async () => {
        develop = await synth("develop");
        privateMode = await synth("develop", PRIVATE);
    });

    it("creates a 10.0.0.0/16 VPC with DNS support and hostnames", () => {
        const vpc = find(develop, "aws:ec2/vpc:Vpc", "network-vpc");
        assert.equal(vpc.inputs.cidrBlock, "10.0.0.0/16");
        assert.equal(vpc.inputs.enableDnsSupport, true);
        assert.equal(vpc.inputs.enableDnsHostnames, true);
        assert.equal(vpc.inputs.tags.Name, "stark-ballot-simulator-vpc-develop");
    });

    it("in public mode: two public subnets in two AZs (parity CIDRs), an internet gateway route, no private subnets or endpoints", () => {
        const subnets = findAll(develop, "aws:ec2/subnet:Subnet");
        assert.deepEqual(
            subnets.map((s) => [s.name, s.inputs.cidrBlock, s.inputs.availabilityZone, s.inputs.mapPublicIpOnLaunch]),
            [
                ["network-public-a", "10.0.1.0/24", "ap-northeast-1a", false],
                ["network-public-b", "10.0.2.0/24", "ap-northeast-1c", false],
            ],
        );
        const routes = find(develop, "aws:ec2/routeTable:RouteTable", "network-public-rt").inputs.routes;
        assert.equal(routes.length, 1);
        assert.equal(routes[0].cidrBlock, "0.0.0.0/0");
        assert.ok(routes[0].gatewayId, "default route goes to the internet gateway");
        assert.equal(findAll(develop, "aws:ec2/internetGateway:InternetGateway").length, 1);
        assert.equal(findAll(develop, "aws:ec2/natGateway:NatGateway").length, 0);
        assert.equal(findAll(develop, "aws:ec2/vpcEndpoint:VpcEndpoint").length, 0);
    });

    it("gives the prover task security group no ingress and HTTPS-only egress (parity)", () => {
        const sg = find(develop, "aws:ec2/securityGroup:SecurityGroup", "network-prover-sg");
        assert.deepEqual(sg.inputs.ingress, []);
        assert.deepEqual(
            sg.inputs.egress.map((e: any) => [e.protocol, e.fromPort, e.toPort, e.cidrBlocks]),
            [["tcp", 443, 443, ["0.0.0.0/0"]]],
        );
    });

    it("strips every rule from the VPC's default security group", () => {
        const sg = find(develop, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg");
        assert.deepEqual(sg.inputs.ingress, []);
        assert.deepEqual(sg.inputs.egress, []);
    });

    it("in private mode: private subnets, ECR API/DKR and Logs interface endpoints, an S3 gateway endpoint, still no NAT", () => {
        const privateSubnets = findAll(privateMode, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("private"));
        assert.deepEqual(privateSubnets.map((s) => s.inputs.cidrBlock), ["10.0.11.0/24", "10.0.12.0/24"]);
        const endpoints = findAll(privateMode, "aws:ec2/vpcEndpoint:VpcEndpoint");
        assert.deepEqual(
            endpoints.map((e) => [e.inputs.serviceName, e.inputs.vpcEndpointType, e.inputs.privateDnsEnabled ?? null]).sort(),
            [
                ["com.amazonaws.ap-northeast-1.ecr.api", "Interface", true],
                ["com.amazonaws.ap-northeast-1.ecr.dkr", "Interface", true],
                ["com.amazonaws.ap-northeast-1.logs", "Interface", true],
                ["com.amazonaws.ap-northeast-1.s3", "Gateway", null],
            ],
        );
        const endpointSg = find(privateMode, "aws:ec2/securityGroup:SecurityGroup", "network-endpoints-sg");
        assert.deepEqual(endpointSg.inputs.ingress.map((i: any) => [i.fromPort, i.toPort, i.cidrBlocks]), [[443, 443, ["10.0.0.0/16"]]]);
        assert.equal(findAll(privateMode, "aws:ec2/natGateway:NatGateway").length, 0);
    });

    it("runs the prover in the subnets of the mode, with a public IP only in public mode", () => {
        const runProver = (r: SynthResult) =>
            JSON.parse(find(r, "aws:sfn/stateMachine:StateMachine", "prover-dispatcher").inputs.definition).States.RunProver.Parameters
                .NetworkConfiguration.AwsvpcConfiguration;
        assert.equal(runProver(develop).AssignPublicIp, "ENABLED");
        assert.equal(runProver(privateMode).AssignPublicIp, "DISABLED");
        assert.equal(runProver(develop).Subnets.length, 2);
        assert.notDeepEqual(runProver(develop).Subnets, runProver(privateMode).Subnets);
    });
});
