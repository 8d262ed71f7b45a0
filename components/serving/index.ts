export { VllmService, VLLM_SERVICE_TYPE } from "./vllm-service";
export type { VllmServiceArgs, VllmServiceDependencies } from "./args";
export { kvCacheDtypeFlag, vllmArgs, hybridKvCacheEnv, type ServerRole } from "./command";
export { servingNames, VLLM_PORT, type ServingNames } from "./names";
export { leaderWorkerSetObject, LWS_API_VERSION, LWS_KIND } from "./leaderworkerset";
export { queueDepthQuery } from "./scaledobject";
export { serviceAnnotations } from "./service";
