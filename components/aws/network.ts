import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import { planSubnetCidrs, type SubnetCidrs } from "./cidr";

/**
 * NAT gateways of a new VPC. `per-zone` gives each availability zone its own gateway, so losing
 * one zone cuts no other zone's egress, and model downloads from Hugging Face stay in the node's
 * zone. `single` saves the hourly charge of the other gateways but makes every private subnet
 * depend on one zone.
 */
export type NatGatewayMode = "per-zone" | "single";

/**
 * Subnet tags the AWS Load Balancer Controller uses to find subnets for internet-facing and
 * internal load balancers (its documentation, "Subnet auto-discovery"). Controller versions from
 * v2.1.2 on need no `kubernetes.io/cluster/<name>` tag.
 */
export const PUBLIC_ELB_TAG = "kubernetes.io/role/elb";
export const INTERNAL_ELB_TAG = "kubernetes.io/role/internal-elb";

export interface NetworkArgs {
  /** The stack's `network` settings: a new VPC's range and zones, or an existing VPC's ids. */
  network: StackConfig["network"];
  /** Tags added to every resource. */
  tags?: Record<string, string>;
  /** NAT gateways of a new VPC. @default "per-zone" */
  natGateways?: NatGatewayMode;
}

interface NetworkOutputs {
  vpcId: pulumi.Output<string>;
  vpcCidr: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string[]>;
  publicSubnetIds: pulumi.Output<string[]>;
}

/**
 * The VPC that the cluster and its nodes run in. By default it is a new VPC with public and
 * private subnets in `availabilityZoneCount` zones, an internet gateway and NAT. When
 * `network.vpcId` is set, the component uses the given VPC and subnets and creates nothing.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: pulumi.Output<string>;
  /** Subnets for nodes and pods, in two or more availability zones. */
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /**
   * Subnets for NAT gateways and internet-facing load balancers; empty for an existing VPC whose
   * stack lists none.
   */
  readonly publicSubnetIds: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    const { network } = args;
    // Plan the subnet ranges before registering anything, so a bad range fails with no resources.
    const cidrs = network.vpcId
      ? undefined
      : planSubnetCidrs(network.vpcCidr, network.availabilityZoneCount);
    super("servekit:aws:Network", name, {}, opts);

    const outputs = cidrs
      ? this.createVpc(name, network.vpcCidr, cidrs, args)
      : this.useExistingVpc(network);
    this.vpcId = outputs.vpcId;
    this.vpcCidr = outputs.vpcCidr;
    this.privateSubnetIds = outputs.privateSubnetIds;
    this.publicSubnetIds = outputs.publicSubnetIds;
    this.registerOutputs({ ...outputs });
  }

  private useExistingVpc(network: StackConfig["network"]): NetworkOutputs {
    const vpcId = network.vpcId as string;
    const vpc = aws.ec2.getVpcOutput({ id: vpcId }, { parent: this });
    return {
      vpcId: pulumi.output(vpcId),
      vpcCidr: vpc.cidrBlock,
      privateSubnetIds: pulumi.output(network.privateSubnetIds ?? []),
      publicSubnetIds: pulumi.output(network.publicSubnetIds ?? []),
    };
  }

  private createVpc(
    name: string,
    vpcCidr: string,
    cidrs: SubnetCidrs,
    args: NetworkArgs,
  ): NetworkOutputs {
    const tags = args.tags ?? {};
    const opts = { parent: this };
    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: vpcCidr,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { ...tags, Name: `${name}-vpc` },
      },
      opts,
    );
    // The default security group of a new VPC allows all egress and all traffic between its
    // members. Managing it with no rules removes them, so nothing can use it by accident.
    new aws.ec2.DefaultSecurityGroup(
      `${name}-default-security-group`,
      { vpcId: vpc.id, ingress: [], egress: [], tags: { ...tags, Name: `${name}-default` } },
      opts,
    );

    const zones = aws.getAvailabilityZonesOutput(
      // Local Zones and Wavelength Zones need an opt-in and carry no P instances.
      { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
      opts,
    ).names;
    const publicSubnets = this.createPublicSubnets(name, vpc, zones, cidrs.public, tags);
    const natGateways = this.createNatGateways(name, publicSubnets, args.natGateways, tags);
    const privateSubnets = this.createPrivateSubnets(name, vpc, zones, cidrs.private, tags);
    this.routePrivateSubnets(name, vpc, privateSubnets, natGateways, tags);

    return {
      vpcId: vpc.id,
      vpcCidr: vpc.cidrBlock,
      privateSubnetIds: pulumi.all(privateSubnets.map((subnet) => subnet.id)),
      publicSubnetIds: pulumi.all(publicSubnets.map((subnet) => subnet.id)),
    };
  }

  private createPublicSubnets(
    name: string,
    vpc: aws.ec2.Vpc,
    zones: pulumi.Output<string[]>,
    cidrs: string[],
    tags: Record<string, string>,
  ): aws.ec2.Subnet[] {
    const opts = { parent: this };
    const gateway = new aws.ec2.InternetGateway(
      `${name}-internet-gateway`,
      { vpcId: vpc.id, tags: { ...tags, Name: `${name}-internet-gateway` } },
      opts,
    );
    const routeTable = new aws.ec2.RouteTable(
      `${name}-public-route-table`,
      { vpcId: vpc.id, tags: { ...tags, Name: `${name}-public` } },
      opts,
    );
    new aws.ec2.Route(
      `${name}-public-default-route`,
      { routeTableId: routeTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: gateway.id },
      opts,
    );
    return cidrs.map((cidrBlock, index) => {
      const subnet = this.createSubnet(`${name}-public-subnet-${index}`, vpc, zones, index, {
        cidrBlock,
        tags: { ...tags, [PUBLIC_ELB_TAG]: "1" },
      });
      new aws.ec2.RouteTableAssociation(
        `${name}-public-subnet-${index}-route-table`,
        { subnetId: subnet.id, routeTableId: routeTable.id },
        opts,
      );
      return subnet;
    });
  }

  private createNatGateways(
    name: string,
    publicSubnets: aws.ec2.Subnet[],
    mode: NatGatewayMode = "per-zone",
    tags: Record<string, string>,
  ): aws.ec2.NatGateway[] {
    const subnets = mode === "single" ? publicSubnets.slice(0, 1) : publicSubnets;
    return subnets.map((subnet, index) => {
      const address = new aws.ec2.Eip(
        `${name}-nat-ip-${index}`,
        { domain: "vpc", tags: { ...tags, Name: `${name}-nat-${index}` } },
        { parent: this },
      );
      return new aws.ec2.NatGateway(
        `${name}-nat-gateway-${index}`,
        {
          allocationId: address.id,
          subnetId: subnet.id,
          tags: { ...tags, Name: `${name}-nat-${index}` },
        },
        { parent: this },
      );
    });
  }

  private createPrivateSubnets(
    name: string,
    vpc: aws.ec2.Vpc,
    zones: pulumi.Output<string[]>,
    cidrs: string[],
    tags: Record<string, string>,
  ): aws.ec2.Subnet[] {
    return cidrs.map((cidrBlock, index) =>
      this.createSubnet(`${name}-private-subnet-${index}`, vpc, zones, index, {
        cidrBlock,
        tags: { ...tags, [INTERNAL_ELB_TAG]: "1" },
      }),
    );
  }

  private routePrivateSubnets(
    name: string,
    vpc: aws.ec2.Vpc,
    subnets: aws.ec2.Subnet[],
    natGateways: aws.ec2.NatGateway[],
    tags: Record<string, string>,
  ): void {
    const opts = { parent: this };
    subnets.forEach((subnet, index) => {
      const routeTable = new aws.ec2.RouteTable(
        `${name}-private-route-table-${index}`,
        { vpcId: vpc.id, tags: { ...tags, Name: `${name}-private-${index}` } },
        opts,
      );
      new aws.ec2.Route(
        `${name}-private-default-route-${index}`,
        {
          routeTableId: routeTable.id,
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: natGateways[index % natGateways.length].id,
        },
        opts,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-subnet-${index}-route-table`,
        { subnetId: subnet.id, routeTableId: routeTable.id },
        opts,
      );
    });
  }

  /** Creates a subnet in zone `index`. Neither kind gives instances public addresses. */
  private createSubnet(
    resourceName: string,
    vpc: aws.ec2.Vpc,
    zones: pulumi.Output<string[]>,
    index: number,
    args: { cidrBlock: string; tags: Record<string, string> },
  ): aws.ec2.Subnet {
    return new aws.ec2.Subnet(
      resourceName,
      {
        vpcId: vpc.id,
        cidrBlock: args.cidrBlock,
        availabilityZone: zones.apply((names) => zoneAt(names, index)),
        mapPublicIpOnLaunch: false,
        tags: { ...args.tags, Name: resourceName },
      },
      { parent: this },
    );
  }
}

function zoneAt(names: string[], index: number): string {
  if (index >= names.length) {
    throw new Error(
      `network.availabilityZoneCount asks for ${index + 1} zones, but the region has only ` +
        `${names.length} available ones (${names.join(", ")}); lower the count`,
    );
  }
  return names[index];
}
