export { planDeployment } from "./planner";
export type { PlanResult, SizingPlan } from "./types";
export { MODELS, allowedTensorParallelSizes, type ModelSpec } from "./catalog/models";
export { CHECKPOINTS, checkpointFor, type Checkpoint } from "./catalog/checkpoints";
export { GPUS, type GpuSpec } from "./catalog/gpus";
export { INSTANCES, type InstanceSpec } from "./catalog/instances";
