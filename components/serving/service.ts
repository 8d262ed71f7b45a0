import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import type { SizingPlan } from "../../sizing/types";
import { SHUTDOWN_TIMEOUT_SECONDS } from "./command";
import {
  commonLabels,
  isMultiNode,
  LWS_NAME_LABEL,
  LWS_WORKER_INDEX_LABEL,
  selectorLabels,
  VLLM_PORT,
  type ServingNames,
} from "./names";
import { PRESTOP_SLEEP_SECONDS } from "./resources";

/** Prefix of the Service annotations the AWS Load Balancer Controller reads. */
const LB = "service.beta.kubernetes.io/aws-load-balancer";

/**
 * Load balancer class the AWS Load Balancer Controller reconciles as a Network Load Balancer;
 * with it the in-tree cloud controller leaves the Service alone.
 */
export const NLB_CLASS = "service.k8s.aws/nlb";

/** Port clients connect to: 443 with TLS termination at the load balancer, else 80. */
export function listenerPort(config: StackConfig): number {
  return config.loadBalancer.certificateArn ? 443 : 80;
}

/**
 * Annotations of the AWS Load Balancer Controller (keys as in its `docs/guide/service/
 * annotations.md`): an NLB that sends traffic straight to pod IPs, health-checked on `/health`,
 * with cross-zone balancing because the GPU pods may all sit in one zone.
 *
 * - The deregistration delay lets a draining pod finish its streams: the pre-stop pause plus
 *   vLLM's shutdown timeout.
 * - A TCP listener gets the stack's idle timeout through the listener attribute
 *   `tcp.idle_timeout.seconds` (60 to 6000 s, default 350 s, per the Elastic Load Balancing API
 *   reference for `ListenerAttribute`). A TLS listener has a fixed 350 s,
 *   which the config loader already applied, so no attribute is set then.
 */
export function serviceAnnotations(config: StackConfig): Record<string, string> {
  const lb = config.loadBalancer;
  const deregistration = PRESTOP_SLEEP_SECONDS + SHUTDOWN_TIMEOUT_SECONDS;
  const annotations: Record<string, string> = {
    [`${LB}-type`]: "external",
    [`${LB}-nlb-target-type`]: "ip",
    [`${LB}-scheme`]: lb.scheme,
    [`${LB}-healthcheck-protocol`]: "http",
    [`${LB}-healthcheck-path`]: "/health",
    [`${LB}-healthcheck-port`]: "traffic-port",
    [`${LB}-target-group-attributes`]: `deregistration_delay.timeout_seconds=${deregistration}`,
    [`${LB}-attributes`]: "load_balancing.cross_zone.enabled=true",
  };
  if (lb.certificateArn) {
    annotations[`${LB}-ssl-cert`] = lb.certificateArn;
    annotations[`${LB}-ssl-ports`] = String(listenerPort(config));
  } else {
    annotations[`${LB}-listener-attributes.TCP-${listenerPort(config)}`] =
      `tcp.idle_timeout.seconds=${lb.idleTimeoutSeconds}`;
  }
  return annotations;
}

/**
 * Client ranges the load balancer admits: the stack's `loadBalancer.sourceRanges`, or the VPC for
 * an internal load balancer that lists none (the config loader rejects an internet-facing one
 * without ranges).
 */
export function sourceRanges(
  config: StackConfig,
  vpcCidr: pulumi.Input<string>,
): pulumi.Input<string>[] {
  return config.loadBalancer.sourceRanges.length > 0
    ? [...config.loadBalancer.sourceRanges]
    : [vpcCidr];
}

/** Pods the Service sends traffic to: every replica pod, or only group leaders. */
export function serviceSelector(plan: SizingPlan, names: ServingNames): Record<string, string> {
  if (!isMultiNode(plan)) return selectorLabels(plan);
  return { [LWS_NAME_LABEL]: names.workload, [LWS_WORKER_INDEX_LABEL]: "0" };
}

/** Inputs of {@link createService}. */
export interface ServiceInputs {
  name: string;
  plan: SizingPlan;
  config: StackConfig;
  names: ServingNames;
  vpcCidr: pulumi.Input<string>;
  opts: pulumi.CustomResourceOptions;
}

/**
 * Creates the LoadBalancer Service. Pulumi's default await for a Service waits for ready pods
 * behind it, which takes the start-up budget, or forever at zero replicas. So `pulumi.com/waitFor`
 * makes it wait only for the load balancer's hostname: a JSONPath without a value matches once the
 * field exists (pulumi-kubernetes `provider/pkg/jsonpath/jsonpath.go`). Deletion may take 20
 * minutes while the controller removes the load balancer and its network interfaces.
 */
export function createService(inputs: ServiceInputs): k8s.core.v1.Service {
  const { plan, config, names } = inputs;
  const port = listenerPort(config);
  return new k8s.core.v1.Service(
    `${inputs.name}-service`,
    {
      metadata: {
        name: names.service,
        namespace: names.namespace,
        labels: commonLabels(plan),
        annotations: {
          ...serviceAnnotations(config),
          "pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress[0].hostname}",
        },
      },
      spec: {
        type: "LoadBalancer",
        loadBalancerClass: NLB_CLASS,
        // IP targets need no node ports.
        allocateLoadBalancerNodePorts: false,
        loadBalancerSourceRanges: sourceRanges(config, inputs.vpcCidr),
        selector: serviceSelector(plan, names),
        ports: [
          { name: port === 443 ? "https" : "http", port, targetPort: VLLM_PORT, protocol: "TCP" },
        ],
      },
    },
    { ...inputs.opts, customTimeouts: { create: "20m", update: "20m", delete: "20m" } },
  );
}
