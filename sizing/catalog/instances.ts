import type { GpuType, InstanceType } from "../../config/schema";
import { CATALOG_CHECKED, type Source } from "./source";

/** An on-demand price and where it was read. */
export interface InstancePrice {
  /** USD per instance-hour for Linux on-demand, or null when no published price was found. */
  usdPerHour: number | null;
  region: string;
  /** When the price was listed, as precise as the source allows (YYYY, YYYY-MM or YYYY-MM-DD). */
  listedAt: string | null;
  source: Source;
}

/** One EC2 instance type with eight GPUs. */
export interface InstanceSpec {
  type: InstanceType;
  gpu: GpuType;
  gpusPerNode: number;
  vcpus: number;
  memoryGiB: number;
  /** Local NVMe instance store. */
  nvme: { disks: number; diskGB: number; estimated: boolean };
  /** Elastic Fabric Adapter network interfaces. */
  efaInterfaces: number;
  onDemand: InstancePrice;
  sources: Source[];
}

const ON_DEMAND_PRICING = "https://aws.amazon.com/ec2/pricing/on-demand/";

const P4_PAGE: Source = {
  url: "https://aws.amazon.com/ec2/instance-types/p4/",
  checked: CATALOG_CHECKED,
  note: "GPUs, vCPUs, memory, NVMe and EFA of p4d and p4de",
};

const P5_PAGE: Source = {
  url: "https://aws.amazon.com/ec2/instance-types/p5/",
  checked: CATALOG_CHECKED,
  note: "GPUs, vCPUs, memory, NVMe and EFA of p5, p5e and p5en",
};

const price = (usdPerHour: number | null, listedAt: string | null, note: string) => ({
  usdPerHour,
  region: "us-east-1",
  listedAt,
  source: { url: ON_DEMAND_PRICING, checked: CATALOG_CHECKED, note },
});

/** GPU instance types servekit can use, keyed by the stack's `instanceType` value. */
export const INSTANCES: Record<InstanceType, InstanceSpec> = {
  "p4d.24xlarge": {
    type: "p4d.24xlarge",
    gpu: "a100-40gb",
    gpusPerNode: 8,
    vcpus: 96,
    memoryGiB: 1152,
    nvme: { disks: 8, diskGB: 1000, estimated: false },
    efaInterfaces: 4,
    onDemand: price(21.96, "2026", "US East (N. Virginia) Linux on-demand, 2026 snapshot"),
    sources: [P4_PAGE],
  },
  "p4de.24xlarge": {
    type: "p4de.24xlarge",
    gpu: "a100-80gb",
    gpusPerNode: 8,
    vcpus: 96,
    memoryGiB: 1152,
    // NOTE: assumed equal to p4d, because the p4de NVMe layout was not confirmed in a primary source.
    nvme: { disks: 8, diskGB: 1000, estimated: true },
    efaInterfaces: 4,
    onDemand: price(27.45, "2026", "US East (N. Virginia) Linux on-demand, 2026 snapshot"),
    sources: [P4_PAGE],
  },
  "p5.48xlarge": {
    type: "p5.48xlarge",
    gpu: "h100-80gb",
    gpusPerNode: 8,
    vcpus: 192,
    memoryGiB: 2048,
    nvme: { disks: 8, diskGB: 3840, estimated: false },
    efaInterfaces: 32,
    onDemand: price(
      55.04,
      "2025-06",
      "US East (N. Virginia) Linux on-demand after the June 2025 GPU price cut (was 98.32)",
    ),
    sources: [P5_PAGE],
  },
  "p5e.48xlarge": {
    type: "p5e.48xlarge",
    gpu: "h200-141gb",
    gpusPerNode: 8,
    vcpus: 192,
    memoryGiB: 2048,
    nvme: { disks: 8, diskGB: 3840, estimated: false },
    efaInterfaces: 32,
    // NOTE: no public us-east-1 on-demand price was found. Set pricesUsdPerHour to supply one.
    onDemand: price(null, null, "no on-demand price found for us-east-1"),
    sources: [P5_PAGE],
  },
  "p5en.48xlarge": {
    type: "p5en.48xlarge",
    gpu: "h200-141gb",
    gpusPerNode: 8,
    vcpus: 192,
    memoryGiB: 2048,
    nvme: { disks: 8, diskGB: 3840, estimated: true },
    efaInterfaces: 16,
    onDemand: price(63.3, "2026-08", "US East (N. Virginia) Linux on-demand, August 2026 listing"),
    sources: [P5_PAGE],
  },
};
