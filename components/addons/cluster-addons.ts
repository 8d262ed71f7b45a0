import type * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type Addon, type ChartSpec, loadAddonChart, requiredChartValue } from "./charts";
import { clusterAutoscalerValues } from "./cluster-autoscaler";
import { clusterAutoscalerPolicyJson, loadBalancerControllerPolicyJson } from "./policies";
import {
  AWAITED_CONTROLLER,
  GPU_NODE_DAEMONSET,
  type ReleaseWaiting,
  releaseArgs,
} from "./release";
import { METRICS_SCRAPE_ANNOTATIONS } from "./scheduling";
import { type HelmValues, mergeValues } from "./values";

/** Inputs of an IAM role bound to a service account by EKS Pod Identity. */
export interface PodIdentityRoleArgs {
  clusterName: pulumi.Input<string>;
  /** Namespace of the Kubernetes service account. */
  namespace: string;
  /** Name of the Kubernetes service account that assumes the role. */
  serviceAccount: string;
  /** IAM policy document the role is granted. */
  policyJson: pulumi.Input<string>;
}

/** An IAM role and the Pod Identity association that binds it to a service account. */
export interface PodIdentityRole {
  role: aws.iam.Role;
  association: aws.eks.PodIdentityAssociation;
}

/** Creates an IAM role that pods of one service account assume through EKS Pod Identity. */
export type PodIdentityRoleFactory = (
  name: string,
  args: PodIdentityRoleArgs,
  opts?: pulumi.ResourceOptions,
) => PodIdentityRole;

export interface ClusterAddonsArgs {
  /** EKS cluster name, used by the controllers and the autoscaler's IAM condition. */
  clusterName: pulumi.Input<string>;
  /** AWS region of the cluster. */
  region: string;
  /** VPC of the cluster, given to the load balancer controller so it never reads instance metadata. */
  vpcId: pulumi.Input<string>;
  /** Kubernetes minor version of the cluster ("1.34"), which selects the cluster autoscaler image. */
  kubernetesVersion: string;
  /** Kubernetes provider of the cluster. */
  provider: k8s.Provider;
  /** Resources every release waits for: the system node group and the GPU node pool. */
  dependsOn: pulumi.Input<pulumi.Resource>[];
  /** Installs the LeaderWorkerSet controller, for replicas that span several nodes. */
  multiNode: boolean;
  /** Installs the EFA device plugin, for GPU instance types with EFA interfaces. */
  efa: boolean;
  /** Factory of the add-ons' IAM roles: `podIdentityRole` from `components/aws/pod-identity`. */
  podIdentityRole: PodIdentityRoleFactory;
}

/** Helm release of each add-on. `lws` and `efaDevicePlugin` exist only when enabled. */
export interface ClusterAddonReleases {
  nvidiaDevicePlugin: k8s.helm.v3.Release;
  keda: k8s.helm.v3.Release;
  prometheus: k8s.helm.v3.Release;
  loadBalancerController: k8s.helm.v3.Release;
  clusterAutoscaler: k8s.helm.v3.Release;
  lws?: k8s.helm.v3.Release;
  efaDevicePlugin?: k8s.helm.v3.Release;
}

/** Namespaces that exist in every cluster and are never created or deleted by the program. */
const PREEXISTING_NAMESPACES = new Set(["kube-system"]);

/**
 * Generous limits for the load balancer controller's release. On destroy, the LoadBalancer
 * Service is deleted first and the controller must still be running to delete the NLB and clear
 * the Service's finalizer.
 */
const LOAD_BALANCER_CONTROLLER_TIMEOUTS: pulumi.CustomTimeouts = {
  create: "20m",
  update: "20m",
  delete: "30m",
};

/** Returns the in-cluster URL of the Prometheus server Service for KEDA's Prometheus trigger. */
export function prometheusServerUrl(chart: ChartSpec): string {
  const service = requiredChartValue(chart, "server.fullnameOverride");
  const port = requiredChartValue(chart, "server.service.servicePort");
  return `http://${service}.${chart.namespace}.svc:${port}`;
}

/**
 * The cluster add-ons, each a pinned Helm chart from `charts/`: NVIDIA device plugin, KEDA,
 * Prometheus, AWS Load Balancer Controller and cluster autoscaler, plus the LeaderWorkerSet
 * controller and the EFA device plugin when enabled. The two AWS controllers get their own
 * least-privilege IAM roles through EKS Pod Identity.
 *
 * CRDs that hold workloads survive chart upgrades: KEDA's CRDs carry Helm's
 * `helm.sh/resource-policy: keep` annotation (set in `charts/keda.yaml`), so an uninstall keeps
 * them too, and they go with the EKS cluster itself.
 * NOTE: over its history the LWS chart has kept its CRD in Helm's `crds/` folder (never deleted)
 * and under `templates/crds/` (deleted on uninstall). Which layout chart 0.10.0 uses was not
 * confirmed. Either way the LeaderWorkerSet depends on the release, so destroy removes it
 * before any uninstall could remove its CRD.
 */
export class ClusterAddons extends pulumi.ComponentResource {
  readonly releases: ClusterAddonReleases;
  /** URL of the Prometheus server inside the cluster, for KEDA's Prometheus trigger. */
  readonly prometheusServerUrl: string;
  /** Namespace of the Prometheus server, which NetworkPolicies admit for scraping. */
  readonly prometheusNamespace: string;
  /** Annotations that make Prometheus scrape a vLLM pod's `/metrics`. */
  readonly metricsScrapeAnnotations = METRICS_SCRAPE_ANNOTATIONS;
  readonly loadBalancerControllerRole: aws.iam.Role;
  readonly clusterAutoscalerRole: aws.iam.Role;

  private readonly namespaces = new Map<string, k8s.core.v1.Namespace>();

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("servekit:addons:ClusterAddons", name, {}, opts);

    const loadBalancerController = this.loadBalancerController(name, args);
    // Every later release that creates a Service waits for the controller, because its webhook
    // mservice.elbv2.k8s.aws rejects new Services while the controller has no ready endpoints.
    const afterController = [loadBalancerController.release];

    const clusterAutoscaler = this.clusterAutoscaler(name, args, afterController);

    const prometheusChart = loadAddonChart("prometheus");
    this.prometheusServerUrl = prometheusServerUrl(prometheusChart);
    this.prometheusNamespace = prometheusChart.namespace;

    this.releases = {
      nvidiaDevicePlugin: this.release(name, args, "nvidia-device-plugin", {
        waiting: GPU_NODE_DAEMONSET,
      }),
      keda: this.release(name, args, "keda", { after: afterController }),
      prometheus: this.release(name, args, "prometheus", {
        chart: prometheusChart,
        after: afterController,
      }),
      loadBalancerController: loadBalancerController.release,
      clusterAutoscaler: clusterAutoscaler.release,
      lws: args.multiNode ? this.release(name, args, "lws", { after: afterController }) : undefined,
      efaDevicePlugin: args.efa
        ? this.release(name, args, "aws-efa-k8s-device-plugin", { waiting: GPU_NODE_DAEMONSET })
        : undefined,
    };
    this.loadBalancerControllerRole = loadBalancerController.identity.role;
    this.clusterAutoscalerRole = clusterAutoscaler.identity.role;

    this.registerOutputs({
      prometheusServerUrl: this.prometheusServerUrl,
      metricsScrapeAnnotations: this.metricsScrapeAnnotations,
      loadBalancerControllerRoleArn: this.loadBalancerControllerRole.arn,
      clusterAutoscalerRoleArn: this.clusterAutoscalerRole.arn,
    });
  }

  private loadBalancerController(name: string, args: ClusterAddonsArgs) {
    const chart = loadAddonChart("aws-load-balancer-controller");
    const identity = args.podIdentityRole(
      `${name}-lbc-identity`,
      {
        clusterName: args.clusterName,
        namespace: chart.namespace,
        serviceAccount: requiredChartValue(chart, "serviceAccount.name"),
        policyJson: loadBalancerControllerPolicyJson(),
      },
      { parent: this },
    );
    const release = this.release(name, args, "aws-load-balancer-controller", {
      chart,
      values: { clusterName: args.clusterName, region: args.region, vpcId: args.vpcId },
      after: [identity.association],
      customTimeouts: LOAD_BALANCER_CONTROLLER_TIMEOUTS,
    });
    return { release, identity };
  }

  private clusterAutoscaler(
    name: string,
    args: ClusterAddonsArgs,
    after: pulumi.Input<pulumi.Resource>[],
  ) {
    const chart = loadAddonChart("cluster-autoscaler");
    const identity = args.podIdentityRole(
      `${name}-autoscaler-identity`,
      {
        clusterName: args.clusterName,
        namespace: chart.namespace,
        serviceAccount: requiredChartValue(chart, "rbac.serviceAccount.name"),
        policyJson: clusterAutoscalerPolicyJson(args.clusterName),
      },
      { parent: this },
    );
    const release = this.release(name, args, "cluster-autoscaler", {
      chart,
      values: clusterAutoscalerValues(args.clusterName, args.region, args.kubernetesVersion),
      after: [...after, identity.association],
    });
    return { release, identity };
  }

  /** Creates the Helm release of one add-on, with its namespace when the cluster lacks it. */
  private release(
    name: string,
    args: ClusterAddonsArgs,
    addon: Addon,
    options: {
      chart?: ChartSpec;
      values?: HelmValues;
      waiting?: ReleaseWaiting;
      after?: pulumi.Input<pulumi.Resource>[];
      customTimeouts?: pulumi.CustomTimeouts;
    },
  ): k8s.helm.v3.Release {
    const chart = options.chart ?? loadAddonChart(addon);
    const namespace = this.namespace(name, args, chart.namespace);
    const values = mergeValues(chart.values, options.values ?? {});
    const waiting = options.waiting ?? AWAITED_CONTROLLER;
    return new k8s.helm.v3.Release(`${name}-${addon}`, releaseArgs(addon, chart, values, waiting), {
      parent: this,
      provider: args.provider,
      dependsOn: [...args.dependsOn, ...(namespace ? [namespace] : []), ...(options.after ?? [])],
      customTimeouts: options.customTimeouts,
    });
  }

  /** Returns the Namespace resource for a release, creating it once; none for kube-system. */
  private namespace(
    name: string,
    args: ClusterAddonsArgs,
    namespaceName: string,
  ): k8s.core.v1.Namespace | undefined {
    if (PREEXISTING_NAMESPACES.has(namespaceName)) return undefined;
    let namespace = this.namespaces.get(namespaceName);
    if (namespace === undefined) {
      namespace = new k8s.core.v1.Namespace(
        `${name}-${namespaceName}-namespace`,
        { metadata: { name: namespaceName } },
        { parent: this, provider: args.provider, dependsOn: args.dependsOn },
      );
      this.namespaces.set(namespaceName, namespace);
    }
    return namespace;
  }
}
