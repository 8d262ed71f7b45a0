import * as k8s from "@pulumi/kubernetes";
import type { ChartSpec } from "./charts";
import type { HelmValues } from "./values";

/** Wait settings of a Helm release during `pulumi up`. */
export interface ReleaseWaiting {
  /**
   * Wait until every object of the release is ready, and roll the release back when it is not
   * within the timeout. Controllers whose webhooks or APIs other resources need use this.
   */
  awaitReady: boolean;
  /** Helm's limit for one install or upgrade, in seconds. */
  timeoutSeconds: number;
}

/**
 * Release settings for controllers: Helm's own default wait is 300 s, and a first install on
 * new nodes also pulls every image, so the limit is doubled.
 */
export const AWAITED_CONTROLLER: ReleaseWaiting = { awaitReady: true, timeoutSeconds: 600 };

/**
 * Release settings for DaemonSets that only run on GPU nodes. Nothing else calls them, and their
 * readiness follows the GPU nodes' boot, so `pulumi up` does not wait for their pods.
 */
export const GPU_NODE_DAEMONSET: ReleaseWaiting = { awaitReady: false, timeoutSeconds: 300 };

/** Revisions Helm keeps per release, so its release Secrets do not grow without bound. */
const MAX_HELM_HISTORY = 10;

/** Builds the arguments of a Helm release from a chart file and the merged values. */
export function releaseArgs(
  releaseName: string,
  chart: ChartSpec,
  values: HelmValues,
  waiting: ReleaseWaiting,
): k8s.helm.v3.ReleaseArgs {
  return {
    name: releaseName,
    chart: chart.chart,
    version: chart.version,
    ...(chart.repository === undefined ? {} : { repositoryOpts: { repo: chart.repository } }),
    namespace: chart.namespace,
    createNamespace: false,
    values,
    atomic: waiting.awaitReady,
    cleanupOnFail: waiting.awaitReady,
    skipAwait: !waiting.awaitReady,
    timeout: waiting.timeoutSeconds,
    maxHistory: MAX_HELM_HISTORY,
  };
}
