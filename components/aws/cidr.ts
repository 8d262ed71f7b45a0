/**
 * Subnet layout of a new VPC. The VPC range is cut into eight equal blocks: blocks 0 to 3 hold one
 * private subnet per availability zone and block 4 is cut into eight public subnets. A VPC that
 * later grows from 2 to 4 zones keeps the ranges of its existing subnets, so no subnet is replaced.
 *
 * For a /16 VPC the private subnets are /19 and the public subnets /22. AWS reserves 5 addresses
 * of each subnet, so a /19 leaves 8,187 for nodes and the pod addresses the VPC CNI assigns, and
 * a /22 leaves 1,019 for NAT gateways and load balancers.
 */
export interface SubnetCidrs {
  private: string[];
  public: string[];
}

/** Blocks of the VPC range: 2^3 = 8, of which 4 are private and 1 is split into public subnets. */
const BLOCK_BITS = 3;
const PUBLIC_BLOCK_INDEX = 4;
const MAX_ZONES = 4;

/**
 * AWS accepts VPC and subnet ranges from /16 to /28 (Amazon EC2 API Reference, CreateVpc and
 * CreateSubnet). Public subnets here are 6 bits longer than the VPC prefix, so the VPC prefix is at
 * most /22.
 */
export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 28 - 2 * BLOCK_BITS;

/** Plans private and public subnet ranges for `zoneCount` availability zones. */
export function planSubnetCidrs(vpcCidr: string, zoneCount: number): SubnetCidrs {
  const { base, prefix } = parseCidr(vpcCidr);
  if (prefix < MIN_VPC_PREFIX || prefix > MAX_VPC_PREFIX) {
    throw new Error(
      `network.vpcCidr ${vpcCidr} is invalid: the prefix must be from /${MIN_VPC_PREFIX} to ` +
        `/${MAX_VPC_PREFIX} so that each zone gets a private and a public subnet; use for ` +
        `example 10.0.0.0/16`,
    );
  }
  if (!Number.isInteger(zoneCount) || zoneCount < 1 || zoneCount > MAX_ZONES) {
    throw new Error(`availability zone count must be from 1 to ${MAX_ZONES}; got ${zoneCount}`);
  }
  const zones = Array.from({ length: zoneCount }, (_, index) => index);
  const publicBlock = subnetOf(base, prefix, BLOCK_BITS, PUBLIC_BLOCK_INDEX);
  return {
    private: zones.map((index) => formatCidr(subnetOf(base, prefix, BLOCK_BITS, index))),
    public: zones.map((index) =>
      formatCidr(subnetOf(publicBlock.base, publicBlock.prefix, BLOCK_BITS, index)),
    ),
  };
}

interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

function parseCidr(text: string): Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : -1;
  if (!match || octets.some((octet) => octet > 255) || prefix > 32) {
    throw new Error(`network.vpcCidr ${text} is not an IPv4 CIDR range such as 10.0.0.0/16`);
  }
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    const network = formatCidr({ base: address - (address % size), prefix });
    throw new Error(`network.vpcCidr ${text} has host bits set; use ${network}`);
  }
  return { base: address, prefix };
}

function subnetOf(base: number, prefix: number, newBits: number, index: number): Cidr {
  const subnetPrefix = prefix + newBits;
  return { base: base + index * 2 ** (32 - subnetPrefix), prefix: subnetPrefix };
}

function formatCidr(cidr: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
  return `${octets.join(".")}/${cidr.prefix}`;
}
