import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { freePort } from "./cluster-app.js";
import { startProcess, type StartedProcess } from "./process.js";

/**
 * A real single-node VictoriaMetrics (Debian's `victoria-metrics` package, binary
 * /usr/bin/victoria-metrics) on loopback with temp storage. Tests that need it skip locally when
 * it is absent but FAIL in CI (CI=true), where .ci/run installs the package.
 */
export const VM_BIN = "victoria-metrics";

export function victoriaMetricsAvailable(): boolean {
  try {
    execFileSync(VM_BIN, ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.CI === "true") {
      throw new Error("victoria-metrics is required in CI (CI=true) but was not found: .ci/run must install Debian's victoria-metrics package");
    }
    return false;
  }
}

export interface VictoriaMetrics extends StartedProcess {
  url: string;
  /** An instant query; samples with numeric values. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
}

export async function startVictoriaMetrics(dir: string): Promise<VictoriaMetrics> {
  const port = await freePort();
  const started = await startProcess(
    VM_BIN,
    [`-storageDataPath=${join(dir, "vm-data")}`, `-httpListenAddr=127.0.0.1:${port}`, "-retentionPeriod=1d", "-search.latencyOffset=0s"],
    { ready: /started VictoriaMetrics/, timeoutMs: 20_000 },
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    ...started,
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
  };
}
