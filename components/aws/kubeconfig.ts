import * as pulumi from "@pulumi/pulumi";

/** Credential API version that `aws eks get-token` emits. */
export const EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1";

export interface KubeconfigArgs {
  clusterName: pulumi.Input<string>;
  endpoint: pulumi.Input<string>;
  /** Base64 certificate authority data of the cluster. */
  certificateAuthority: pulumi.Input<string>;
  region: pulumi.Input<string>;
}

/**
 * Builds a kubeconfig (JSON, which kubectl reads as YAML) whose user runs `aws eks get-token`, so
 * it contains no credential. Each user authenticates with their own AWS identity, which needs an
 * access entry on the cluster. The result is a secret output, so Pulumi encrypts it in the
 * state and hides it in output listings.
 */
export function buildKubeconfig(args: KubeconfigArgs): pulumi.Output<string> {
  const config = pulumi.all([
    args.clusterName,
    args.endpoint,
    args.certificateAuthority,
    args.region,
  ]);
  return pulumi.secret(
    config.apply(([clusterName, endpoint, certificateAuthority, region]) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          {
            name: clusterName,
            cluster: { server: endpoint, "certificate-authority-data": certificateAuthority },
          },
        ],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
        users: [
          {
            name: clusterName,
            user: {
              exec: {
                apiVersion: EXEC_API_VERSION,
                command: "aws",
                args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region],
                interactiveMode: "Never",
              },
            },
          },
        ],
      }),
    ),
  );
}
