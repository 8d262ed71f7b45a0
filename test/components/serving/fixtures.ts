import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../../config/schema";
import { VllmService } from "../../../components/serving";
import { runProgram, type ProgramRun, type RecordedResource } from "../../../plan/run";
import { estimateStartupSeconds } from "../../../sizing/startup";
import type { SizingPlan } from "../../../sizing/types";
import {
  applyPlanOverrides,
  maverickFp8Plan,
  type PlanOverrides,
} from "../../support/plan-fixtures";
import { parsedConfig, resourceNamed, stackValues, TEST_SECRETS } from "../../support/stack";

export { maverickBf16MultiNodePlan, maverickFp8Plan } from "../../support/plan-fixtures";

/** Scout INT4 W4A16 on p5.48xlarge: TP 4, two replicas share a node (~60 GB of weights). */
export function scoutInt4Plan(overrides: PlanOverrides = {}): SizingPlan {
  const weightsGiB = 55.9;
  return applyPlanOverrides(
    maverickFp8Plan({
      model: {
        name: "llama-4-scout",
        checkpoint: "RedHatAI/Llama-4-Scout-17B-16E-Instruct-quantized.w4a16",
        servedModelName: "llama-4-scout",
        weightsGiB,
      },
      quantization: "int4",
      parallelism: { tensor: 4, gpusPerReplica: 4, replicasPerNode: 2, gpusPerPod: 4 },
      context: { maxModelLen: 32_768, modelMaxLen: 10_485_760 },
      memoryPerGpuGiB: { weights: 14, kvCache: 46.64 },
      nodePool: { rootVolumeGiB: 180 },
      startupTimeoutSeconds: estimateStartupSeconds(weightsGiB),
    }),
    overrides,
  );
}

/** What a test may change about the component's arguments. */
export interface ServingOptions {
  plan: SizingPlan;
  /** Stack keys on top of the test stack; parsed into the component's `config`. */
  values?: Record<string, unknown>;
  efaInterfaces?: number;
  /** Leave out the LeaderWorkerSet release. */
  withoutLws?: boolean;
  prometheusNamespace?: string;
}

/** CIDR range the tests give as the VPC's. */
export const TEST_VPC_CIDR = "10.0.0.0/16";

/** URL of the Prometheus server the tests give KEDA. */
export const TEST_PROMETHEUS_URL = "http://prometheus-server.monitoring.svc";

/** Parses the stack keys the run uses, so a test can compare against the component's config. */
export function servingConfig(options: ServingOptions): StackConfig {
  return parsedConfig(stackKeys(options));
}

function stackKeys(options: ServingOptions): Record<string, unknown> {
  return {
    model: options.plan.model.name,
    quantization: options.plan.quantization,
    ...options.values,
  };
}

/**
 * Runs the serving component under the shared mocks, next to stand-ins for what it depends on:
 * the GPU node group and the three controller releases. The secrets come from the stack config
 * as Pulumi secrets, with the known test values.
 */
export function runServing(options: ServingOptions): Promise<ProgramRun> {
  const config = servingConfig(options);
  return runProgram(
    {
      stackName: "serving-test",
      values: stackValues(stackKeys(options)),
      secrets: { ...TEST_SECRETS },
      otherNamespaces: {},
    },
    async () => {
      const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
      const gpuNodePool = new aws.eks.NodeGroup("gpu-node-group", {
        clusterName: "servekit",
        nodeRoleArn: "arn:aws:iam::123456789012:role/gpu-nodes",
        subnetIds: ["subnet-0aaa", "subnet-0bbb"],
        scalingConfig: { minSize: 1, maxSize: 4, desiredSize: 1 },
      });
      const release = (chart: string) =>
        new k8s.helm.v3.Release(chart, { chart, namespace: "kube-system" }, { provider });
      const secrets = new pulumi.Config("servekit");
      const serving = new VllmService(options.plan.model.name, {
        plan: options.plan,
        config,
        provider,
        hfToken: secrets.requireSecret("hfToken"),
        apiKey: secrets.requireSecret("apiKey"),
        nodeSelector: { "servekit.dev/pool": "gpu" },
        efaInterfaces: options.efaInterfaces ?? 0,
        vpcCidr: TEST_VPC_CIDR,
        prometheusServerUrl: TEST_PROMETHEUS_URL,
        prometheusNamespace: options.prometheusNamespace,
        dependsOn: {
          gpuNodePool,
          loadBalancerController: release("aws-load-balancer-controller"),
          keda: release("keda"),
          lws: options.withoutLws ? undefined : release("lws"),
        },
      });
      return {
        serviceHostname: serving.serviceHostname,
        endpointUrl: serving.endpointUrl,
        openaiBaseUrl: serving.openaiBaseUrl,
        servedModelName: serving.servedModelName,
        namespace: serving.namespace,
      };
    },
  );
}

/** Returns a recorded resource's input at a dotted path, such as `spec.template.spec`. */
export function inputAt(resource: RecordedResource, path: string): unknown {
  let value: unknown = resource.inputs;
  for (const key of path.split(".")) {
    value = (value as Record<string, unknown> | undefined)?.[key];
  }
  return value;
}

/** Returns the URN of a recorded resource of a type and name. */
export function urnOf(run: ProgramRun, type: string, name: string): string {
  return resourceNamed(run, type, name).urn;
}

/** Pod spec types the tests read. */
export interface TestContainer {
  name: string;
  image: string;
  command?: string[];
  args: string[];
  env: { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }[];
  ports?: { containerPort: number; name: string }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts: { name: string; mountPath: string }[];
  startupProbe?: Record<string, unknown> & { periodSeconds: number; failureThreshold: number };
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  securityContext: Record<string, unknown>;
}

export interface TestPodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: TestContainer[];
    tolerations: Record<string, string>[];
    volumes: { name: string; emptyDir: { medium?: string; sizeLimit: string } }[];
    nodeSelector: Record<string, string>;
    securityContext: Record<string, unknown>;
    automountServiceAccountToken: boolean;
    enableServiceLinks: boolean;
    serviceAccountName: string;
    terminationGracePeriodSeconds: number;
    affinity?: Record<string, unknown>;
  };
}

/** Returns the value of an environment variable of a container, or its `valueFrom`. */
export function envOf(container: TestContainer, name: string) {
  return container.env.find((variable) => variable.name === name);
}

/** Returns the value after a flag in an argument list. */
export function flagValue(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}
