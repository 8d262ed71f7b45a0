import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun, RecordedResource } from "../../../plan/run";
import { resourceNamed } from "../../support/stack";
import { inputAt, maverickFp8Plan, runServing, TEST_VPC_CIDR, urnOf } from "./fixtures";

const SERVICE = "kubernetes:core/v1:Service";
const LB = "service.beta.kubernetes.io/aws-load-balancer";
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d";

function serviceOf(run: ProgramRun): RecordedResource {
  return resourceNamed(run, SERVICE, "llama-4-maverick-service");
}

function annotationsOf(service: RecordedResource): Record<string, string> {
  return inputAt(service, "metadata.annotations") as Record<string, string>;
}

describe("Service internal default", () => {
  let run: ProgramRun;
  let service: RecordedResource;

  beforeAll(async () => {
    run = await runServing({ plan: maverickFp8Plan() });
    service = serviceOf(run);
  });

  it("is not named vllm", () => {
    expect(inputAt(service, "metadata.name")).toBe("llama-4-maverick-api");
    expect(inputAt(service, "metadata.name")).not.toBe("vllm");
    expect(inputAt(service, "metadata.namespace")).toBe("servekit-llama-4-maverick");
  });

  it("is an nlb load balancer", () => {
    expect(inputAt(service, "spec.type")).toBe("LoadBalancer");
    expect(inputAt(service, "spec.loadBalancerClass")).toBe("service.k8s.aws/nlb");
    expect(inputAt(service, "spec.allocateLoadBalancerNodePorts")).toBe(false);
  });

  it("maps port 80 to vllm", () => {
    expect(inputAt(service, "spec.ports")).toEqual([
      { name: "http", port: 80, targetPort: 8000, protocol: "TCP" },
    ]);
  });

  it("selects the model's pods", () => {
    expect(inputAt(service, "spec.selector")).toEqual({
      "app.kubernetes.io/name": "vllm",
      "app.kubernetes.io/instance": "llama-4-maverick",
    });
  });

  it("has the controller's annotations", () => {
    const annotations = annotationsOf(service);
    expect(annotations[`${LB}-type`]).toBe("external");
    expect(annotations[`${LB}-nlb-target-type`]).toBe("ip");
    expect(annotations[`${LB}-scheme`]).toBe("internal");
    expect(annotations[`${LB}-healthcheck-path`]).toBe("/health");
    expect(annotations[`${LB}-attributes`]).toBe("load_balancing.cross_zone.enabled=true");
  });

  it("sets the tcp idle timeout", () => {
    const annotations = annotationsOf(service);
    expect(annotations[`${LB}-listener-attributes.TCP-80`]).toBe("tcp.idle_timeout.seconds=3600");
    expect(annotations[`${LB}-ssl-cert`]).toBeUndefined();
  });

  it("drains targets as long as vllm", () => {
    const annotations = annotationsOf(service);
    expect(annotations[`${LB}-target-group-attributes`]).toBe(
      "deregistration_delay.timeout_seconds=630",
    );
  });

  it("waits only for the hostname", () => {
    expect(annotationsOf(service)["pulumi.com/waitFor"]).toBe(
      "jsonpath={.status.loadBalancer.ingress[0].hostname}",
    );
  });

  it("admits the vpc by default", () => {
    expect(inputAt(service, "spec.loadBalancerSourceRanges")).toEqual([TEST_VPC_CIDR]);
  });

  it("depends on the controller and gpu pool", () => {
    expect(service.dependsOn).toContain(
      urnOf(run, "kubernetes:helm.sh/v3:Release", "aws-load-balancer-controller"),
    );
    expect(service.dependsOn).toContain(
      urnOf(run, "aws:eks/nodeGroup:NodeGroup", "gpu-node-group"),
    );
  });

  it("workload depends on the service", () => {
    const deployment = resourceNamed(
      run,
      "kubernetes:apps/v1:Deployment",
      "llama-4-maverick-deployment",
    );
    expect(deployment.dependsOn).toContain(service.urn);
    expect(deployment.dependsOn).toContain(
      urnOf(run, "aws:eks/nodeGroup:NodeGroup", "gpu-node-group"),
    );
  });
});

describe("Service options", () => {
  it("tls listens on 443", async () => {
    const run = await runServing({
      plan: maverickFp8Plan(),
      values: { loadBalancer: { certificateArn: CERTIFICATE } },
    });
    const service = serviceOf(run);
    const annotations = annotationsOf(service);
    expect(inputAt(service, "spec.ports")).toEqual([
      { name: "https", port: 443, targetPort: 8000, protocol: "TCP" },
    ]);
    expect(annotations[`${LB}-ssl-cert`]).toBe(CERTIFICATE);
    expect(annotations[`${LB}-ssl-ports`]).toBe("443");
    expect(Object.keys(annotations).some((key) => key.includes("listener-attributes"))).toBe(false);
    expect(run.outputs.endpointUrl).toMatch(/^https:\/\//);
    expect(run.outputs.openaiBaseUrl).toMatch(/^https:\/\/.+\/v1$/);
  });

  it("client ranges replace the vpc", async () => {
    const ranges = ["10.20.0.0/16", "192.0.2.0/24"];
    const run = await runServing({
      plan: maverickFp8Plan(),
      values: { loadBalancer: { sourceRanges: ranges } },
    });
    expect(inputAt(serviceOf(run), "spec.loadBalancerSourceRanges")).toEqual(ranges);
  });

  it("internet-facing sets the scheme and warns", async () => {
    const run = await runServing({
      plan: maverickFp8Plan(),
      values: { loadBalancer: { scheme: "internet-facing", sourceRanges: ["0.0.0.0/0"] } },
    });
    expect(annotationsOf(serviceOf(run))[`${LB}-scheme`]).toBe("internet-facing");
    expect(run.warnings).toHaveLength(3);
    expect(run.warnings[0]).toMatch(/^loadBalancer.scheme is internet-facing/);
    expect(run.warnings[1]).toContain("plain HTTP");
    expect(run.warnings[2]).toMatch(/^loadBalancer.sourceRanges contains 0.0.0.0\/0/);
  });

  it("idle timeout follows the stack", async () => {
    const run = await runServing({
      plan: maverickFp8Plan(),
      values: { loadBalancer: { idleTimeoutSeconds: 1200 } },
    });
    expect(annotationsOf(serviceOf(run))[`${LB}-listener-attributes.TCP-80`]).toBe(
      "tcp.idle_timeout.seconds=1200",
    );
  });
});
