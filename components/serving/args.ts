import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import type { SizingPlan } from "../../sizing/types";
import { isMultiNode } from "./names";

/** Resources the serving objects must be created after, and deleted before. */
export interface VllmServiceDependencies {
  /** The GPU node group: pods need its nodes, and destroy must remove them while it exists. */
  gpuNodePool: pulumi.Resource;
  /** The AWS Load Balancer Controller release, which creates and deletes the NLB. */
  loadBalancerController: pulumi.Resource;
  /** The KEDA release, which installs the ScaledObject CRD. */
  keda: pulumi.Resource;
  /** The LeaderWorkerSet controller release; required when a replica spans several nodes. */
  lws?: pulumi.Resource;
}

/** Arguments of the vLLM serving component. */
export interface VllmServiceArgs {
  /** The planner's decision, rendered as is: checkpoint, parallelism, context, replicas. */
  plan: SizingPlan;
  /** Parsed stack settings: the vLLM image, the load balancer and the autoscaling keys. */
  config: StackConfig;
  /** Provider of the EKS cluster; every Kubernetes object is created through it. */
  provider: k8s.Provider;
  /** Hugging Face token, a Pulumi secret; it reaches pods only through a Kubernetes Secret. */
  hfToken: pulumi.Input<string>;
  /** Key clients send as `Authorization: Bearer <key>`, a Pulumi secret. */
  apiKey: pulumi.Input<string>;
  /** Node labels of the GPU node pool that the vLLM pods must run on. */
  nodeSelector: Record<string, string>;
  /**
   * EFA interfaces the GPU node group attaches to each node, all requested by each pod of a
   * multi-node group; 0 when the node group attaches none. Single-node replicas request none.
   */
  efaInterfaces: number;
  /** CIDR range of the VPC: the client range of an internal load balancer that lists none. */
  vpcCidr: pulumi.Input<string>;
  /** Base URL of the Prometheus HTTP API that KEDA queries, such as `http://prometheus-server.monitoring.svc`. */
  prometheusServerUrl: string;
  /** Namespace of that Prometheus server, admitted by the NetworkPolicy to scrape `/metrics`. */
  prometheusNamespace?: string;
  dependsOn: VllmServiceDependencies;
}

/**
 * Checks what the component cannot render and returns every problem; the constructor throws
 * them all at once before it creates anything.
 */
export function argumentProblems(args: VllmServiceArgs): string[] {
  const { plan } = args;
  const problems: string[] = [];
  const gpus = plan.parallelism.gpusPerPod;
  if (!Number.isInteger(gpus) || gpus <= 0) {
    problems.push(
      `plan.parallelism.gpusPerPod must be a positive whole number of GPUs; got ${gpus}`,
    );
  }
  if (isMultiNode(plan) && gpus !== plan.gpu.gpusPerNode) {
    problems.push(
      `a replica of ${plan.parallelism.nodesPerReplica} nodes needs every GPU of each node, ` +
        `${plan.gpu.gpusPerNode} per pod; the plan gives ${gpus}`,
    );
  }
  if (isMultiNode(plan) && !args.dependsOn.lws) {
    problems.push(
      `a replica of ${plan.parallelism.nodesPerReplica} nodes runs as a LeaderWorkerSet; ` +
        "pass the LeaderWorkerSet controller's release as dependsOn.lws",
    );
  }
  if (!Number.isInteger(args.efaInterfaces) || args.efaInterfaces < 0) {
    problems.push(`efaInterfaces must be a whole number of 0 or more; got ${args.efaInterfaces}`);
  }
  return problems;
}

/** Returns the allowed but risky settings, each message naming what changes it. */
export function riskWarnings(args: VllmServiceArgs): string[] {
  const { plan, config } = args;
  const lb = config.loadBalancer;
  const warnings: string[] = [];
  if (lb.scheme === "internet-facing") {
    warnings.push(
      `loadBalancer.scheme is internet-facing: the endpoint is reachable from the internet by ` +
        `${lb.sourceRanges.join(", ")}; set loadBalancer.scheme to internal to keep it in the VPC`,
    );
  }
  if (lb.scheme === "internet-facing" && !lb.certificateArn) {
    warnings.push(
      "loadBalancer.scheme is internet-facing without loadBalancer.certificateArn: requests, " +
        "answers and the API key cross the internet as plain HTTP; set certificateArn to an ACM " +
        "certificate to serve HTTPS",
    );
  }
  if (lb.sourceRanges.includes("0.0.0.0/0")) {
    warnings.push(
      "loadBalancer.sourceRanges contains 0.0.0.0/0: any address may connect and only the API " +
        "key protects the endpoint; list the clients' CIDR ranges instead",
    );
  }
  if (plan.replicas.min === 0) {
    warnings.push(
      "replicas.min is 0: with no replica running no request can queue, so the queue-depth " +
        "trigger cannot start the first replica; set replicas.min to 1, or scale the workload " +
        "up with kubectl before sending traffic",
    );
  }
  warnings.push(...multiNodeWarnings(args));
  return warnings;
}

function multiNodeWarnings(args: VllmServiceArgs): string[] {
  const { plan, config } = args;
  if (!isMultiNode(plan)) return [];
  if (args.efaInterfaces === 0) {
    return [
      `a replica spans ${plan.parallelism.nodesPerReplica} nodes but the GPU nodes have no EFA ` +
        "interfaces attached, so pipeline traffic between them uses TCP over the VPC network",
    ];
  }
  if (config.vllmImage.startsWith("vllm/vllm-openai:")) {
    return [
      `vllmImage ${config.vllmImage} may lack the AWS EFA libraries (libfabric and the ` +
        "aws-ofi-nccl plugin): vLLM images shipped without them until at least September 2026, " +
        "and NCCL then sends pipeline traffic over TCP sockets despite the EFA interfaces. " +
        "Check that a leader pod has /opt/amazon/efa, or set vllmImage to an image with them",
    ];
  }
  return [];
}
