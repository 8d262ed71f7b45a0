import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { argumentProblems, riskWarnings, type VllmServiceArgs } from "./args";
import { createDeployment } from "./deployment";
import { createLeaderWorkerSet } from "./leaderworkerset";
import { createNamespace, type NamespaceResources } from "./namespace";
import { isMultiNode, servingNames, type ServingNames } from "./names";
import { createNetworkPolicy } from "./networkpolicy";
import { createPdb } from "./pdb";
import type { PodTemplateInputs } from "./pod";
import { createScaledObject } from "./scaledobject";
import { createService, listenerPort } from "./service";

/** Type token of the component. */
export const VLLM_SERVICE_TYPE = "servekit:serving:VllmService";

/**
 * Served model on the cluster: its namespace and Secrets, and vLLM as a Deployment (one node per
 * replica) or a LeaderWorkerSet (several nodes per replica). An NLB Service is in front, a KEDA
 * ScaledObject scales on the request queue, and a PodDisruptionBudget and a NetworkPolicy guard it.
 */
export class VllmService extends pulumi.ComponentResource {
  /** DNS name of the Network Load Balancer. */
  public readonly serviceHostname: pulumi.Output<string>;
  /** `http://` or, with a certificate, `https://` and the load balancer's name. */
  public readonly endpointUrl: pulumi.Output<string>;
  /** Base URL for OpenAI clients: the endpoint and `/v1`. */
  public readonly openaiBaseUrl: pulumi.Output<string>;
  /** Model name clients send in the OpenAI `model` field. */
  public readonly servedModelName: pulumi.Output<string>;
  /** Namespace of the model's objects. */
  public readonly namespace: pulumi.Output<string>;
  /** The Deployment or LeaderWorkerSet that runs vLLM. */
  public readonly workload: k8s.apps.v1.Deployment | k8s.apiextensions.CustomResource;
  /** The LoadBalancer Service. */
  public readonly service: k8s.core.v1.Service;

  constructor(name: string, args: VllmServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before registering anything, so that a plan it cannot render leaves no resource.
    const problems = argumentProblems(args);
    if (problems.length > 0) {
      throw new Error(`VllmService ${name} cannot render its plan:\n- ${problems.join("\n- ")}`);
    }
    super(VLLM_SERVICE_TYPE, name, {}, opts);
    for (const warning of riskWarnings(args)) pulumi.log.warn(warning, this);

    const { plan, config } = args;
    const names = servingNames(plan);
    const childOpts = { parent: this, provider: args.provider };

    const base = createNamespace({
      name,
      plan,
      names,
      hfToken: args.hfToken,
      apiKey: args.apiKey,
      locksMemory: isMultiNode(plan) && args.efaInterfaces > 0,
      opts: childOpts,
    });

    // The Service goes after the load balancer controller and the GPU nodes, so that destroy
    // deletes it, and with it the NLB, while both still exist.
    this.service = createService({
      name,
      plan,
      config,
      names,
      vpcCidr: args.vpcCidr,
      opts: {
        ...childOpts,
        dependsOn: [
          base.namespace,
          args.dependsOn.loadBalancerController,
          args.dependsOn.gpuNodePool,
        ],
      },
    });

    this.workload = this.createWorkload(name, args, names, base);

    createScaledObject({
      name,
      plan,
      config,
      names,
      prometheusServerUrl: args.prometheusServerUrl,
      opts: { ...childOpts, dependsOn: [args.dependsOn.keda, this.workload] },
    });

    createPdb(name, plan, names, { ...childOpts, dependsOn: [base.namespace] });

    createNetworkPolicy(
      name,
      {
        plan,
        config,
        names,
        vpcCidr: args.vpcCidr,
        prometheusNamespace: args.prometheusNamespace,
      },
      { ...childOpts, dependsOn: [base.namespace] },
    );

    this.serviceHostname = this.service.status.apply(
      (status) => status.loadBalancer.ingress[0].hostname,
    );
    const scheme = listenerPort(config) === 443 ? "https" : "http";
    this.endpointUrl = pulumi.interpolate`${scheme}://${this.serviceHostname}`;
    this.openaiBaseUrl = pulumi.interpolate`${this.endpointUrl}/v1`;
    this.servedModelName = pulumi.output(plan.model.servedModelName);
    this.namespace = base.namespace.metadata.name;

    this.registerOutputs({
      serviceHostname: this.serviceHostname,
      endpointUrl: this.endpointUrl,
      openaiBaseUrl: this.openaiBaseUrl,
      servedModelName: this.servedModelName,
      namespace: this.namespace,
    });
  }

  /**
   * Creates the Deployment or the LeaderWorkerSet. It waits for the Service, so that the load
   * balancer controller's target group exists and the first pods already get its readiness gate.
   */
  private createWorkload(
    name: string,
    args: VllmServiceArgs,
    names: ServingNames,
    base: NamespaceResources,
  ): k8s.apps.v1.Deployment | k8s.apiextensions.CustomResource {
    const { plan } = args;
    const multiNode = isMultiNode(plan);
    const podInputs: PodTemplateInputs = {
      plan,
      image: args.config.vllmImage,
      names,
      role: multiNode ? "leader" : "single",
      efaInterfaces: multiNode ? args.efaInterfaces : 0,
      nodeSelector: args.nodeSelector,
    };
    const metadata = { name: names.workload, namespace: names.namespace };
    const dependsOn: pulumi.Resource[] = [
      base.hfTokenSecret,
      base.apiKeySecret,
      base.serviceAccount,
      this.service,
      args.dependsOn.gpuNodePool,
    ];
    const opts = { parent: this, provider: args.provider };
    if (!multiNode) return createDeployment(name, metadata, podInputs, { ...opts, dependsOn });
    // argumentProblems has rejected a multi-node plan without the LeaderWorkerSet release.
    const lws = args.dependsOn.lws as pulumi.Resource;
    return createLeaderWorkerSet(name, metadata, podInputs, {
      ...opts,
      dependsOn: [lws, ...dependsOn],
    });
  }
}
