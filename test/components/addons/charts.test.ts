import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ADDONS,
  CHARTS_DIR,
  ChartFileError,
  loadAddonChart,
  loadChartFile,
  requiredChartValue,
} from "../../../components/addons/charts";
import { GPU_TAINT_KEY, SYSTEM_NODE_SELECTOR } from "../../../components/addons/scheduling";

const SEMVER = /^v?\d+\.\d+\.\d+$/;

/** Writes a chart file into a fresh temporary folder and returns its path. */
function chartFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "servekit-chart-")), "broken.yaml");
  writeFileSync(file, text);
  return file;
}

/** Loads a chart file that must fail and returns the error. */
function loadError(file: string): ChartFileError {
  try {
    loadChartFile(file);
  } catch (error) {
    if (error instanceof ChartFileError) return error;
    throw error;
  }
  throw new Error(`${file} loaded, but it should have been rejected`);
}

const VALID = [
  "repository: https://kedacore.github.io/charts",
  "chart: keda",
  "version: 2.20.2",
  "namespace: keda",
  "values: {}",
].join("\n");

describe("chart files", () => {
  it.each(ADDONS)("%s loads and validates", (addon) => {
    const chart = loadAddonChart(addon);
    expect(chart.file).toBe(join(CHARTS_DIR, `${addon}.yaml`));
  });

  it.each(ADDONS)("%s pins an exact version", (addon) => {
    const { version } = loadAddonChart(addon);
    expect(version).toMatch(SEMVER);
    expect(version).not.toContain("latest");
  });

  it.each(ADDONS)("%s names its source", (addon) => {
    const text = readFileSync(join(CHARTS_DIR, `${addon}.yaml`), "utf8");
    expect(text).toMatch(/^# source: \S.+$/m);
  });

  it.each(ADDONS)("%s uses https or oci", (addon) => {
    const chart = loadAddonChart(addon);
    const location = chart.repository ?? chart.chart;
    expect(location).toMatch(/^(https|oci):\/\//);
  });

  it("pins the requested versions", () => {
    const versions = Object.fromEntries(
      ADDONS.map((addon) => [addon, loadAddonChart(addon).version]),
    );
    expect(versions).toEqual({
      "nvidia-device-plugin": "0.20.0",
      keda: "2.20.2",
      prometheus: "29.27.0",
      "aws-load-balancer-controller": "3.5.0",
      "cluster-autoscaler": "9.59.0",
      lws: "0.10.0",
      "aws-efa-k8s-device-plugin": "v0.5.30",
    });
  });

  it("lws is an oci chart without repository", () => {
    const chart = loadAddonChart("lws");
    expect(chart.chart).toBe("oci://registry.k8s.io/lws/charts/lws");
    expect(chart.repository).toBeUndefined();
  });
});

describe("chart values", () => {
  it.each([
    ["keda", "nodeSelector"],
    ["prometheus", "server.nodeSelector"],
    ["prometheus", "kube-state-metrics.nodeSelector"],
    ["aws-load-balancer-controller", "nodeSelector"],
    ["cluster-autoscaler", "nodeSelector"],
    ["lws", "nodeSelector"],
  ] as const)("%s %s selects the system pool", (addon, path) => {
    let value: unknown = loadAddonChart(addon).values;
    for (const key of path.split(".")) value = (value as Record<string, unknown>)[key];
    expect(value).toEqual(SYSTEM_NODE_SELECTOR);
  });

  it.each(["nvidia-device-plugin", "aws-efa-k8s-device-plugin"] as const)(
    "%s tolerates the GPU taint",
    (addon) => {
      const { tolerations } = loadAddonChart(addon).values as { tolerations: unknown[] };
      expect(tolerations).toContainEqual({ key: GPU_TAINT_KEY, operator: "Exists" });
    },
  );

  it("device plugin needs the GPU label", () => {
    const values = loadAddonChart("nvidia-device-plugin").values;
    expect(values.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: "nvidia.com/gpu.present", operator: "In", values: ["true"] },
              ],
            },
          ],
        },
      },
    });
    expect(values.gfd).toEqual({ enabled: false });
    expect(values.nfd).toEqual({ enabled: false });
  });

  it("keda keeps its CRDs", () => {
    const values = loadAddonChart("keda").values as { crds: Record<string, unknown> };
    expect(values.crds.additionalAnnotations).toEqual({ "helm.sh/resource-policy": "keep" });
  });

  it("prometheus runs only the server", () => {
    const values = loadAddonChart("prometheus").values as Record<string, { enabled?: boolean }>;
    expect(values.alertmanager.enabled).toBe(false);
    expect(values["prometheus-pushgateway"].enabled).toBe(false);
  });

  it("autoscaler keeps local-storage nodes scalable", () => {
    const values = loadAddonChart("cluster-autoscaler").values as {
      extraArgs: Record<string, unknown>;
    };
    expect(values.extraArgs["skip-nodes-with-local-storage"]).toBe(false);
    expect(values.extraArgs["balance-similar-node-groups"]).toBe(true);
    expect(values.extraArgs.expander).toBe("least-waste");
  });
});

describe("chart file errors", () => {
  it("valid file loads", () => {
    expect(loadChartFile(chartFile(VALID)).version).toBe("2.20.2");
  });

  it("latest version names file and field", () => {
    const file = chartFile(VALID.replace("version: 2.20.2", "version: latest"));
    const error = loadError(file);
    expect(error.message).toContain(file);
    expect(error.problems.map((problem) => problem.field)).toEqual(["version"]);
    expect(error.message).toContain("version: must be an exact semantic version");
  });

  it("range version is rejected", () => {
    const error = loadError(chartFile(VALID.replace("2.20.2", "^2.20.0")));
    expect(error.problems[0].field).toBe("version");
  });

  it("missing chart names the field", () => {
    const error = loadError(chartFile(VALID.replace("chart: keda\n", "")));
    expect(error.problems.map((problem) => problem.field)).toEqual(["chart"]);
  });

  it("http repository is rejected", () => {
    const file = chartFile(VALID.replace("https://", "http://"));
    expect(loadError(file).problems[0]).toEqual({
      field: "repository",
      message: "must be an https:// Helm repository URL",
    });
  });

  it("values must be a mapping", () => {
    const error = loadError(chartFile(VALID.replace("values: {}", "values: [1, 2]")));
    expect(error.problems[0].field).toBe("values");
  });

  it("unknown field is named", () => {
    const error = loadError(chartFile(`${VALID}\nreleaseName: keda`));
    expect(error.problems[0].field).toBe("releaseName");
  });

  it("several problems at once", () => {
    const text = VALID.replace("2.20.2", "latest").replace("namespace: keda", "namespace: Keda_NS");
    const fields = loadError(chartFile(text)).problems.map((problem) => problem.field);
    expect(fields).toEqual(["version", "namespace"]);
  });

  it("oci chart rejects repository", () => {
    const text = VALID.replace("chart: keda", "chart: oci://registry.k8s.io/lws/charts/lws");
    expect(loadError(chartFile(text)).problems[0].field).toBe("repository");
  });

  it("repository required without oci", () => {
    const text = VALID.replace("repository: https://kedacore.github.io/charts\n", "");
    expect(loadError(chartFile(text)).problems[0]).toEqual({
      field: "repository",
      message: "is required unless chart is an oci:// reference",
    });
  });

  it("invalid YAML names the file", () => {
    const file = chartFile("chart: [unclosed");
    const error = loadError(file);
    expect(error.message).toContain(file);
    expect(error.problems[0].field).toBe("(file)");
  });

  it("missing file names the file", () => {
    const error = loadError("/nonexistent/servekit/chart.yaml");
    expect(error.message).toContain("/nonexistent/servekit/chart.yaml");
  });

  it("required value names the path", () => {
    const chart = loadChartFile(chartFile(VALID));
    expect(() => requiredChartValue(chart, "server.fullnameOverride")).toThrow(
      /values\.server\.fullnameOverride: is required by servekit/,
    );
  });
});
