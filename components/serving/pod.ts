import type * as k8s from "@pulumi/kubernetes";
import { GPU_TAINT_KEY, METRICS_SCRAPE_ANNOTATIONS } from "../addons/scheduling";
import { vllmContainer, type ContainerInputs } from "./container";
import { commonLabels, LWS_GROUP_KEY_LABEL, LWS_NAME_LABEL } from "./names";
import { modelCacheGiB, SHM_SIZE_GIB, TERMINATION_GRACE_SECONDS } from "./resources";

type PodTemplateSpec = k8s.types.input.core.v1.PodTemplateSpec;

/** Inputs of {@link podTemplate}: the container's inputs and the nodes the pod may run on. */
export interface PodTemplateInputs extends ContainerInputs {
  /** Labels of the GPU node pool's nodes. */
  nodeSelector: Record<string, string>;
}

/**
 * Builds the pod template of one role. Only pods that serve HTTP carry the scrape annotations,
 * because a headless worker has no `/metrics` endpoint.
 */
export function podTemplate(inputs: PodTemplateInputs): PodTemplateSpec {
  const serves = inputs.role !== "worker";
  return {
    metadata: {
      labels: commonLabels(inputs.plan),
      annotations: serves ? { ...METRICS_SCRAPE_ANNOTATIONS } : undefined,
    },
    spec: {
      serviceAccountName: inputs.names.serviceAccount,
      // vLLM never calls the Kubernetes API, so the pod gets no token to misuse.
      automountServiceAccountToken: false,
      // No `<SERVICE>_PORT` variables: a Service named `vllm` anywhere in the namespace would
      // otherwise inject `VLLM_PORT=tcp://...`, which vLLM reads as its own setting.
      enableServiceLinks: false,
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      nodeSelector: { ...inputs.nodeSelector },
      // `Exists` without an effect matches the GPU taint whatever its value or effect.
      tolerations: [{ key: GPU_TAINT_KEY, operator: "Exists" }],
      affinity: inputs.role === "single" ? undefined : sameZoneAsGroup(inputs.names.workload),
      containers: [vllmContainer(inputs)],
      volumes: podVolumes(inputs),
    },
  };
}

/**
 * Volumes: a memory-backed `/dev/shm`, and the model cache as an `emptyDir` on the node's root
 * volume, which the GPU node pool sizes for the image and the weights.
 * The cache is not a PersistentVolume on purpose: an EBS volume would be bound to one zone and
 * could outlive the stack, while an `emptyDir` goes with its pod and leaves nothing to orphan
 * on `pulumi destroy`. The price is a fresh download whenever a pod starts on a new node.
 */
function podVolumes(inputs: PodTemplateInputs): k8s.types.input.core.v1.Volume[] {
  return [
    { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${SHM_SIZE_GIB}Gi` } },
    { name: "model-cache", emptyDir: { sizeLimit: `${modelCacheGiB(inputs.plan)}Gi` } },
  ];
}

/**
 * Keeps every pod of a group in one availability zone, because pipeline traffic between zones is
 * slow and billed. `matchLabelKeys` adds the pod's own group key to the selector (Kubernetes
 * KEP-3633, beta and on by default since 1.31), so the pods follow whichever member of their group was
 * scheduled first and different groups stay free to use different zones.
 */
function sameZoneAsGroup(workload: string): k8s.types.input.core.v1.Affinity {
  return {
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: { matchLabels: { [LWS_NAME_LABEL]: workload } },
          matchLabelKeys: [LWS_GROUP_KEY_LABEL],
          topologyKey: "topology.kubernetes.io/zone",
        },
      ],
    },
  };
}
