export { Network, type NetworkArgs, type NatGatewayMode } from "./network";
export { Cluster, type ClusterArgs } from "./cluster";
export {
  GpuNodePool,
  type GpuNodePoolArgs,
  type NodePoolCluster,
  GPU_RESOURCE,
  GPU_TAINT_KEY,
} from "./gpu-node-pool";
export { podIdentityRole, type PodIdentityRole, type PodIdentityRoleArgs } from "./pod-identity";
export { POOL_LABEL } from "./node-group";
export { EFA_RESOURCE } from "./efa";
