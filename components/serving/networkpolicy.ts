import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import type { SizingPlan } from "../../sizing/types";
import {
  commonLabels,
  isMultiNode,
  LWS_NAME_LABEL,
  selectorLabels,
  VLLM_PORT,
  type ServingNames,
} from "./names";

type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;

/** Inputs of {@link networkPolicySpec}. */
export interface NetworkPolicyInputs {
  plan: SizingPlan;
  config: StackConfig;
  names: ServingNames;
  vpcCidr: pulumi.Input<string>;
  /** Namespace of the Prometheus server that scrapes `/metrics`. */
  prometheusNamespace?: string;
}

/**
 * Builds the NetworkPolicy spec that admits traffic to the vLLM pods only on the server port:
 *
 * - from the VPC, where the load balancer's nodes and health checks come from. With IP targets
 *   and client IP preservation off, the pods see the NLB's own addresses. The stack's client
 *   ranges are admitted too, for when client IP preservation is turned on;
 * - from the Prometheus namespace, for scraping;
 * - for a multi-node group, any port from pods of the same LeaderWorkerSet, because the
 *   distributed rendezvous, NCCL and vLLM's message queues pick their ports at run time.
 *
 * Egress stays open: the pods download weights from Hugging Face.
 * NOTE: the policy takes effect only if the cluster enforces NetworkPolicies; on EKS that means
 * the VPC CNI add-on with network policy support enabled.
 */
export function networkPolicySpec(
  inputs: NetworkPolicyInputs,
): k8s.types.input.networking.v1.NetworkPolicySpec {
  const { plan, names } = inputs;
  const serverPort = [{ protocol: "TCP", port: VLLM_PORT }];
  const cidrs = [inputs.vpcCidr, ...inputs.config.loadBalancer.sourceRanges];
  const ingress: IngressRule[] = [
    { from: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: serverPort },
  ];
  if (inputs.prometheusNamespace) {
    const namespace = { "kubernetes.io/metadata.name": inputs.prometheusNamespace };
    ingress.push({ from: [{ namespaceSelector: { matchLabels: namespace } }], ports: serverPort });
  }
  if (isMultiNode(plan)) {
    ingress.push({
      from: [{ podSelector: { matchLabels: { [LWS_NAME_LABEL]: names.workload } } }],
    });
  }
  return { podSelector: { matchLabels: selectorLabels(plan) }, policyTypes: ["Ingress"], ingress };
}

/** Creates the NetworkPolicy. */
export function createNetworkPolicy(
  name: string,
  inputs: NetworkPolicyInputs,
  opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.NetworkPolicy {
  const { plan, names } = inputs;
  return new k8s.networking.v1.NetworkPolicy(
    `${name}-networkpolicy`,
    {
      metadata: {
        name: names.networkPolicy,
        namespace: names.namespace,
        labels: commonLabels(plan),
      },
      spec: networkPolicySpec(inputs),
    },
    opts,
  );
}
