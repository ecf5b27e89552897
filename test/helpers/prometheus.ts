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
 * A copy of a generated prometheus.yml for a test: scrape/evaluation intervals become
 * `intervalSeconds` so the test need not wait 15 s per scrape. The scrape targets come from the
 * generated targets.json (file_sd_configs): write `pointTargets(...)` next to the copy. Throws when
 * the file no longer reads its targets from targets.json (the generator changed).
 */
export function pointScrapeConfig(yaml: string, options: { intervalSeconds: number }): string {
  if (!/file_sd_configs:\n\s+- files:\n\s+- targets\.json/.test(yaml)) throw new Error(`no file_sd_configs reading targets.json in:\n${yaml}`);
  return yaml.replace(/^(\s*(?:scrape|evaluation)_interval:\s*)\S+/gm, `$1${options.intervalSeconds}s`);
}

/** A generated targets.json with every target replaced by `target` (labels kept). */
export function pointTargets(json: string, target: string): string {
  const groups = JSON.parse(json) as Array<{ targets: string[]; labels?: Record<string, string> }>;
  if (groups.length === 0) throw new Error("targets.json lists no target group");
  return JSON.stringify(groups.map((group) => ({ ...group, targets: [target] })));
}

/**
 * The generated prometheus.yml with its commented `remote_write:` block switched on and pointed
 * at `url`. Throws when the block is missing (the generator changed).
 */
export function enableRemoteWrite(yaml: string, url: string): string {
  const lines = yaml.split("\n");
  const start = lines.findIndex((line) => line === "# remote_write:");
  if (start === -1) throw new Error(`no commented remote_write block in:\n${yaml}`);
  let urls = 0;
  for (let i = start; i < lines.length && /^# ?/.test(lines[i]!) && (i === start || lines[i]!.startsWith("#  ")); i++) {
    let line = lines[i]!.slice(2);
    if (/^\s*- url: /.test(line)) {
      line = line.replace(/url: .*$/, `url: ${JSON.stringify(url)}`);
      urls += 1;
    }
    lines[i] = line;
  }
  if (urls !== 1) throw new Error("the remote_write block has no url line");
  return lines.join("\n");
}
