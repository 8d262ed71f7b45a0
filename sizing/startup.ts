/**
 * Time in seconds for everything but the weights: pulling the image, starting the engine,
 * profiling memory and capturing CUDA graphs. NOTE: an estimate, not measured on these nodes.
 */
export const STARTUP_FIXED_SECONDS = 600;

/**
 * Download rate of the weights from Hugging Face to the node's disk for each vLLM pod, in MiB/s.
 * It is the baseline throughput of an EBS gp3 volume (125 MiB/s), and the planner provisions the
 * root volume with this rate for every pod of the node (`rootVolumeThroughputMiBps`). NOTE: an
 * estimate. A faster network and volume make start-up shorter, a slower Hub makes it longer.
 */
export const DOWNLOAD_MIB_PER_SECOND = 125;

/** Rate at which vLLM loads the weights from disk into GPU memory, in GiB/s (an estimate). */
export const LOAD_GIB_PER_SECOND = 1;

/** The schema's bounds for `startupTimeoutSeconds`. */
const STARTUP_MIN_SECONDS = 300;
export const STARTUP_MAX_SECONDS = 14_400;

/**
 * Estimates the seconds a vLLM pod needs before `/health` responds: the fixed part, the download
 * at `downloadMiBPerSecond` (the pod's share of the root volume's throughput) and the load,
 * rounded up to a whole minute and kept within the schema's bounds.
 */
export function estimateStartupSeconds(
  weightsGiB: number,
  downloadMiBPerSecond: number = DOWNLOAD_MIB_PER_SECOND,
): number {
  const download = (weightsGiB * 1024) / downloadMiBPerSecond;
  const load = weightsGiB / LOAD_GIB_PER_SECOND;
  const total = Math.ceil((STARTUP_FIXED_SECONDS + download + load) / 60) * 60;
  return Math.min(STARTUP_MAX_SECONDS, Math.max(STARTUP_MIN_SECONDS, total));
}
