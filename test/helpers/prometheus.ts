import { execFileSync } from "node:child_process";
import { findPrometheus } from "../../src/demo/prometheus.js";

/**
 * A real Prometheus server for tests: the same loopback runner `mon demo --prometheus` uses
 * (temp storage, an ephemeral port, 127.0.0.1 only), plus the skip-or-fail rule of promtool.ts:
 * tests that need Prometheus skip locally when it is absent but FAIL in CI (CI=true), where
 * .ci/run installs Debian's prometheus package.
 */
export { startPrometheus, type PrometheusServer, type PromSample, type PromTarget } from "../../src/demo/prometheus.js";

export function prometheusAvailable(): boolean {
  const binary = findPrometheus();
  if (binary) {
    try {
      execFileSync(binary, ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      // Present but broken: treated as absent.
    }
  }
  if (process.env.CI === "true") {
    throw new Error("the prometheus server is required in CI (CI=true) but was not found: .ci/run must install Debian's prometheus package");
  }
  return false;
}

/**
 * A copy of a generated prometheus.yml pointed at a running app: every static target becomes
 * `target`, and scrape/evaluation intervals become `intervalSeconds` so the test need not wait
 * 15 s per scrape. Throws when the file has no target line to rewrite (the generator changed).
 */
export function pointScrapeConfig(yaml: string, options: { target: string; intervalSeconds: number }): string {
  let targets = 0;
  const rewritten = yaml
    .split("\n")
    .map((line) => {
      const interval = /^(\s*(?:scrape|evaluation)_interval:\s*)\S+/.exec(line);
      if (interval) return `${interval[1]}${options.intervalSeconds}s`;
      const target = /^(\s*-\s*)["']?\d{1,3}(?:\.\d{1,3}){3}:\d+["']?\s*$/.exec(line);
      if (target) {
        targets += 1;
        return `${target[1]}${JSON.stringify(options.target)}`;
      }
      return line;
    })
    .join("\n");
  if (targets === 0) throw new Error(`no static target line to rewrite in:\n${yaml}`);
  return rewritten;
}
