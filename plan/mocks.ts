import * as pulumi from "@pulumi/pulumi";

/** Account id the mocks report; AWS reserves no real account with it. */
export const MOCK_ACCOUNT_ID = "123456789012";

/** Availability zones the mocks report for any region. */
const ZONE_SUFFIXES = ["a", "b", "c", "d"];

/** Inputs of one resource as the mock runtime received them, keyed by type and name. */
export interface MockedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * Pulumi mocks that return plausible outputs for every AWS, Kubernetes and random resource the
 * program creates, and for the data sources it calls, with no credentials and no network.
 */
export class PlanMocks implements pulumi.runtime.Mocks {
  readonly resources: MockedResource[] = [];

  constructor(private readonly region: string) {}

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    this.resources.push({ type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs) });
    const id = args.id || `${args.name}-id`;
    return { id, state: { ...args.inputs, ...this.outputsFor(args) } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    switch (args.token) {
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        return {
          names: ZONE_SUFFIXES.map((suffix) => `${this.region}${suffix}`),
          zoneIds: ZONE_SUFFIXES.map((_, index) => `use1-az${index + 1}`),
          state: "available",
        };
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId: MOCK_ACCOUNT_ID,
          arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/plan`,
          userId: "PLAN",
        };
      case "aws:index/getRegion:getRegion":
        return { name: this.region, region: this.region, id: this.region };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
      case "aws:iam/getPolicyDocument:getPolicyDocument":
        return {
          json: JSON.stringify({ Version: "2012-10-17", Statement: args.inputs.statements ?? [] }),
        };
      case "aws:eks/getAddonVersion:getAddonVersion":
        return { ...args.inputs, version: "v0.0.0-eksbuild.plan" };
      case "aws:ec2/getVpc:getVpc":
        return { ...args.inputs, cidrBlock: "10.0.0.0/16" };
      default:
        return { ...args.inputs };
    }
  }

  private outputsFor(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const inputs = args.inputs as Record<string, unknown>;
    const name = (inputs.name as string | undefined) ?? args.name;
    const service = args.type.split(":")[1]?.split("/")[0] ?? "resource";
    const outputs: Record<string, unknown> = {
      arn: `arn:aws:${service}:${this.region}:${MOCK_ACCOUNT_ID}:${args.name}`,
      name,
    };
    switch (args.type) {
      case "aws:eks/cluster:Cluster":
        return { ...outputs, ...this.clusterOutputs(name) };
      case "aws:iam/role:Role":
        return { ...outputs, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${name}` };
      case "aws:iam/policy:Policy":
        return { ...outputs, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${name}` };
      case "aws:eks/nodeGroup:NodeGroup":
        return {
          ...outputs,
          nodeGroupName: inputs.nodeGroupName ?? `${args.name}-plan`,
          resources: [{ autoscalingGroups: [{ name: `eks-${args.name}-asg` }] }],
          status: "ACTIVE",
        };
      case "aws:ec2/launchTemplate:LaunchTemplate":
        return { ...outputs, latestVersion: 1 };
      case "aws:lb/loadBalancer:LoadBalancer":
        return { ...outputs, dnsName: `${args.name}.elb.${this.region}.amazonaws.com` };
      case "random:index/randomPassword:RandomPassword":
        return { result: `plan-generated-${args.name}` };
      case "kubernetes:core/v1:Service":
        return {
          ...inputs,
          status: {
            loadBalancer: {
              ingress: [{ hostname: `${args.name}.elb.${this.region}.amazonaws.com` }],
            },
          },
        };
      default:
        return outputs;
    }
  }

  private clusterOutputs(name: string): Record<string, unknown> {
    return {
      endpoint: `https://${name}.gr7.${this.region}.eks.amazonaws.com`,
      certificateAuthority: { data: Buffer.from("plan-certificate-authority").toString("base64") },
      identities: [
        { oidcs: [{ issuer: `https://oidc.eks.${this.region}.amazonaws.com/id/PLAN` }] },
      ],
      vpcConfig: { clusterSecurityGroupId: "sg-0plancluster", vpcId: "vpc-0plan" },
      version: "1.34",
      status: "ACTIVE",
    };
  }
}

/** Key that marks a value as a secret in Pulumi's wire format (the SDK's `specialSigKey`). */
const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** Signature value of a secret (the SDK's `specialSecretSig`). */
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Replaces every secret envelope in recorded inputs with its value, so that manifests show the
 * object as Kubernetes receives it. Secret objects are redacted later, when manifests are built.
 */
function unwrapSecrets(value: unknown): Record<string, unknown> {
  const unwrap = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(unwrap);
    if (item === null || typeof item !== "object") return item;
    const record = item as Record<string, unknown>;
    if (record[SIGNATURE_KEY] === SECRET_SIGNATURE) return unwrap(record.value);
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, unwrap(inner)]));
  };
  return unwrap(value) as Record<string, unknown>;
}
