import { beforeAll, describe, expect, it } from "vitest";
import { planSubnetCidrs } from "../../../components/aws/cidr";
import { INTERNAL_ELB_TAG, Network, PUBLIC_ELB_TAG } from "../../../components/aws/network";
import type { ProgramRun } from "../../../plan/run";
import { parsedConfig, resourceNamed, resourcesOfType } from "../../support/stack";
import { runAws } from "./fixtures";

const SUBNET = "aws:ec2/subnet:Subnet";
const NAT_GATEWAY = "aws:ec2/natGateway:NatGateway";
const ROUTE = "aws:ec2/route:Route";

describe("planSubnetCidrs", () => {
  it("splits a /16 into /19 private and /22 public", () => {
    const cidrs = planSubnetCidrs("10.0.0.0/16", 3);
    expect(cidrs.private).toEqual(["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]);
    expect(cidrs.public).toEqual(["10.0.128.0/22", "10.0.132.0/22", "10.0.136.0/22"]);
  });

  it("keeps ranges when zones grow", () => {
    const two = planSubnetCidrs("172.20.0.0/16", 2);
    const four = planSubnetCidrs("172.20.0.0/16", 4);
    expect(four.private.slice(0, 2)).toEqual(two.private);
    expect(four.public.slice(0, 2)).toEqual(two.public);
  });

  it("fits the smallest allowed VPC", () => {
    const cidrs = planSubnetCidrs("10.1.4.0/22", 4);
    expect(cidrs.private).toEqual(["10.1.4.0/25", "10.1.4.128/25", "10.1.5.0/25", "10.1.5.128/25"]);
    expect(cidrs.public).toEqual(["10.1.6.0/28", "10.1.6.16/28", "10.1.6.32/28", "10.1.6.48/28"]);
  });

  it("rejects a prefix past /22", () => {
    expect(() => planSubnetCidrs("10.0.0.0/24", 2)).toThrow(/network.vpcCidr 10.0.0.0\/24/);
  });

  it("rejects a prefix below /16", () => {
    expect(() => planSubnetCidrs("10.0.0.0/8", 2)).toThrow(/from \/16 to \/22/);
  });

  it("rejects host bits", () => {
    expect(() => planSubnetCidrs("10.0.1.0/16", 2)).toThrow(/use 10.0.0.0\/16/);
  });
});

describe("Network with a new VPC", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    const config = parsedConfig({ network: { availabilityZoneCount: 3 } });
    run = await runAws(() => {
      const network = new Network("servekit", { network: config.network, tags: { team: "ml" } });
      return { vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds };
    });
  });

  it("registers the component", () => {
    const component = resourceNamed(run, "servekit:aws:Network", "servekit");
    expect(component.custom).toBe(false);
  });

  it("creates the VPC with DNS hostnames", () => {
    const vpc = resourceNamed(run, "aws:ec2/vpc:Vpc", "servekit-vpc");
    expect(vpc.inputs.cidrBlock).toBe("10.0.0.0/16");
    expect(vpc.inputs.enableDnsHostnames).toBe(true);
    expect(vpc.inputs.tags).toEqual({ team: "ml", Name: "servekit-vpc" });
  });

  it("empties the default security group", () => {
    const group = resourceNamed(
      run,
      "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
      "servekit-default-security-group",
    );
    expect(group.inputs.ingress).toEqual([]);
    expect(group.inputs.egress).toEqual([]);
  });

  it("spreads private subnets over zones", () => {
    const zones = [0, 1, 2].map(
      (index) =>
        resourceNamed(run, SUBNET, `servekit-private-subnet-${index}`).inputs.availabilityZone,
    );
    expect(zones).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
  });

  it("tags private subnets for internal load balancers", () => {
    const subnet = resourceNamed(run, SUBNET, "servekit-private-subnet-1");
    expect(subnet.inputs.cidrBlock).toBe("10.0.32.0/19");
    expect((subnet.inputs.tags as Record<string, string>)[INTERNAL_ELB_TAG]).toBe("1");
    expect(subnet.inputs.mapPublicIpOnLaunch).toBe(false);
  });

  it("tags public subnets for internet-facing load balancers", () => {
    const subnet = resourceNamed(run, SUBNET, "servekit-public-subnet-2");
    expect(subnet.inputs.cidrBlock).toBe("10.0.136.0/22");
    expect((subnet.inputs.tags as Record<string, string>)[PUBLIC_ELB_TAG]).toBe("1");
    expect(subnet.inputs.mapPublicIpOnLaunch).toBe(false);
  });

  it("creates one NAT gateway per zone", () => {
    expect(resourcesOfType(run, NAT_GATEWAY).map((nat) => nat.name)).toEqual([
      "servekit-nat-gateway-0",
      "servekit-nat-gateway-1",
      "servekit-nat-gateway-2",
    ]);
  });

  it("routes each private subnet through its zone's NAT", () => {
    const route = resourceNamed(run, ROUTE, "servekit-private-default-route-2");
    expect(route.inputs.destinationCidrBlock).toBe("0.0.0.0/0");
    expect(route.inputs.natGatewayId).toBe("servekit-nat-gateway-2-id");
  });

  it("routes public subnets through the internet gateway", () => {
    const route = resourceNamed(run, ROUTE, "servekit-public-default-route");
    expect(route.inputs.gatewayId).toBe("servekit-internet-gateway-id");
  });

  it("opens no security group to the internet", () => {
    const rules = run.resources.filter((resource) => resource.type.includes("SecurityGroup"));
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(JSON.stringify(rule.inputs)).not.toContain("0.0.0.0/0");
    }
  });
});

describe("Network with one NAT gateway", () => {
  it("routes every zone through it", async () => {
    const config = parsedConfig();
    const run = await runAws(() => {
      new Network("servekit", { network: config.network, natGateways: "single" });
    });
    expect(resourcesOfType(run, NAT_GATEWAY)).toHaveLength(1);
    const route = resourceNamed(run, ROUTE, "servekit-private-default-route-1");
    expect(route.inputs.natGatewayId).toBe("servekit-nat-gateway-0-id");
  });
});

describe("Network with an existing VPC", () => {
  const existing = {
    vpcId: "vpc-0abc123",
    privateSubnetIds: ["subnet-0aaa", "subnet-0bbb"],
    publicSubnetIds: ["subnet-0ccc"],
  };
  let run: ProgramRun;
  beforeAll(async () => {
    const config = parsedConfig({ network: existing });
    run = await runAws(() => {
      const network = new Network("servekit", { network: config.network });
      return {
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        publicSubnetIds: network.publicSubnetIds,
      };
    });
  });

  it("creates no AWS resource", () => {
    expect(run.resources.filter((resource) => resource.custom)).toEqual([]);
  });

  it("outputs the given ids", () => {
    expect(run.outputs.vpcId).toBe(existing.vpcId);
    expect(run.outputs.privateSubnetIds).toEqual(existing.privateSubnetIds);
    expect(run.outputs.publicSubnetIds).toEqual(existing.publicSubnetIds);
  });
});

describe("Network with a bad range", () => {
  it("throws before registering", () => {
    // The range is checked before the component registers, so this needs no Pulumi runtime.
    // The stack schema rejects such a range too, so it is set after parsing.
    const config = parsedConfig();
    const network = { ...config.network, vpcCidr: "10.0.0.0/26" };
    expect(() => new Network("servekit", { network })).toThrow(
      /network.vpcCidr 10.0.0.0\/26 is invalid/,
    );
  });
});
