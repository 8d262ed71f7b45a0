import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClusterAddons } from "./components/addons/cluster-addons";
import { Cluster, GpuNodePool, Network, podIdentityRole } from "./components/aws";
import { VllmService } from "./components/serving";
import { regionPriceWarning } from "./config/load";
import { loadStackConfig } from "./config/pulumi";
import { StackConfigError } from "./config/problems";
import type { StackConfig } from "./config/schema";
import { planDeployment } from "./sizing/planner";
import type { SizingPlan } from "./sizing/types";

/**
 * Prefix of every top-level resource name. Only the model's own resources add the model name, so
 * every setting but `model` updates resources in place instead of replacing them.
 */
const NAME = "servekit";

/**
 * Runs servekit as a Pulumi program: reads and checks the stack config, sizes the model, then
 * creates network, cluster, GPU node pool, add-ons and the vLLM service, and returns the outputs.
 * Every check runs before the first resource is registered.
 */
export async function deployServekit(): Promise<Record<string, unknown>> {
  const { config, secrets, region } = loadStackConfig();
  const sized = planDeployment(config);
  if (!sized.ok) throw new StackConfigError(sized.problems);
  const plan = sized.plan;
  const priceWarning = regionPriceWarning(region, Object.keys(config.pricesUsdPerHour));
  for (const warning of [...plan.warnings, ...(priceWarning ? [priceWarning] : [])]) {
    pulumi.log.warn(warning);
  }

  const network = new Network(NAME, { network: config.network, tags: config.tags });
  const cluster = new Cluster(NAME, {
    cluster: config.cluster,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    tags: config.tags,
  });
  const gpuPool = new GpuNodePool(`${NAME}-${plan.model.name}`, {
    plan,
    nodePool: config.nodePool,
    cluster,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    tags: config.tags,
  });
  const addons = new ClusterAddons(NAME, {
    clusterName: cluster.clusterName,
    region,
    vpcId: network.vpcId,
    kubernetesVersion: config.cluster.kubernetesVersion,
    provider: cluster.provider,
    dependsOn: [cluster.systemNodeGroup, gpuPool],
    multiNode: plan.parallelism.nodesPerReplica > 1,
    efa: gpuPool.efaInterfaces > 0,
    podIdentityRole,
  });

  const apiKey = secrets.apiKey ?? generatedApiKey();
  const service = new VllmService(`${NAME}-${plan.model.name}`, {
    plan,
    config,
    provider: cluster.provider,
    hfToken: secrets.hfToken as pulumi.Output<string>,
    apiKey,
    nodeSelector: gpuPool.labels,
    efaInterfaces: gpuPool.efaInterfaces,
    vpcCidr: network.vpcCidr,
    prometheusServerUrl: addons.prometheusServerUrl,
    prometheusNamespace: addons.prometheusNamespace,
    dependsOn: {
      gpuNodePool: gpuPool,
      loadBalancerController: addons.releases.loadBalancerController,
      keda: addons.releases.keda,
      lws: addons.releases.lws,
    },
  });

  return stackOutputs(plan, config, { network, cluster, gpuPool, service }, apiKey);
}

/**
 * Creates the API key clients must send when the stack sets none. The value lives in Pulumi
 * state as a secret; `pulumi stack output apiKey --show-secrets` prints it.
 */
function generatedApiKey(): pulumi.Output<string> {
  const key = new random.RandomPassword(`${NAME}-api-key`, { length: 48, special: false });
  return pulumi.secret(key.result);
}

interface DeployedComponents {
  network: Network;
  cluster: Cluster;
  gpuPool: GpuNodePool;
  service: VllmService;
}

function stackOutputs(
  plan: SizingPlan,
  config: StackConfig,
  { network, cluster, gpuPool, service }: DeployedComponents,
  apiKey: pulumi.Input<string>,
): Record<string, unknown> {
  return {
    endpointUrl: service.endpointUrl,
    openaiBaseUrl: service.openaiBaseUrl,
    servedModelName: service.servedModelName,
    loadBalancerScheme: config.loadBalancer.scheme,
    sizing: {
      checkpoint: plan.model.checkpoint,
      instanceType: plan.gpu.instanceType,
      tensorParallelSize: plan.parallelism.tensor,
      pipelineParallelSize: plan.parallelism.pipeline,
      nodesPerReplica: plan.parallelism.nodesPerReplica,
      maxModelLen: plan.context.maxModelLen,
      maxFeasibleModelLen: plan.context.maxFeasibleModelLen,
      kvCacheTokens: plan.context.kvCacheTokens,
      replicas: plan.replicas,
      nodePool: { minSize: plan.nodePool.minSize, maxSize: plan.nodePool.maxSize },
    },
    costUsdPerHour: plan.costUsdPerHour,
    clusterName: cluster.clusterName,
    vpcId: network.vpcId,
    gpuNodeGroupName: gpuPool.nodeGroupName,
    kubeconfig: pulumi.secret(cluster.kubeconfig),
    apiKey: pulumi.secret(apiKey),
  };
}
