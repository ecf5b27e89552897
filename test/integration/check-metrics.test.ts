import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, makeTempDir, runMon } from "../helpers/cli.js";
import { startProcess, type StartedProcess } from "../helpers/process.js";
import { SHOP_CONFIG, startRuntimeApp, type RuntimeApp } from "../helpers/runtime-app.js";

/**
 * `mon check --only metrics` against real apps started as processes: monwire's own runtime
 * fixture (which must pass) and a hand-rolled prom-client app broken one way per mode.
 */
interface JsonCheck {
  id: string;
  status: string;
  summary: string;
  hint?: string;
  findings: Array<{ family?: string; message: string; severity: string; rule: string; hint?: string }>;
}

const BROKEN_APP = join(FIXTURES, "exposition", "apps", "broken-metrics-app.mjs");

async function projectDir(metricsUrl: string, extra: Record<string, unknown> = {}) {
  const temp = await makeTempDir("monwire-check-");
  const config = { ...SHOP_CONFIG, metrics: { ...SHOP_CONFIG.metrics, url: metricsUrl }, ...extra };
  await writeFile(join(temp.dir, "mon.config.json"), JSON.stringify(config));
  return temp;
}

async function check(cwd: string, args: string[], env: Record<string, string> = {}) {
  const result = await runMon(["check", "--only", "metrics", "--json", ...args], { cwd, env });
  if (!String(result.stdout).startsWith("{")) throw new Error(`mon check printed no JSON (exit ${result.exitCode}):\n${String(result.stderr)}`);
  const report = JSON.parse(String(result.stdout)) as { ok: boolean; checks: JsonCheck[] };
  const byId = (id: string) => report.checks.find((c) => c.id === id) as JsonCheck;
  return { result, report, byId };
}

async function startBroken(mode: string): Promise<{ app: StartedProcess; url: string }> {
  const app = await startProcess(process.execPath, [BROKEN_APP], { env: { BROKEN: mode }, ready: /listening on http:\/\/127\.0\.0\.1:\d+/ });
  return { app, url: /listening on (\S+)/.exec(app.output())?.[1] as string };
}

describe("mon check --only metrics on monwire's runtime app", () => {
  let app: RuntimeApp;
  let project: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    app = await startRuntimeApp({});
    for (const [path, shop] of [["/api/licenses/7", "EUR"], ["/api/licenses/8", "KM"], ["/api/nowhere", "XX"]] as const) {
      await fetch(`${app.url}${path}`, { headers: { "x-shop": shop } }).then((r) => r.arrayBuffer());
    }
    project = await projectDir(`${app.url}/metrics`);
  });
  afterAll(async () => {
    await app?.cleanup();
    await project?.cleanup();
  });

  it("passes every metric check, the cardinality probe included, with exit 0", async () => {
    const { result, report, byId } = await check(project.dir, ["--probe-cardinality", "20"]);
    expect(result.exitCode, String(result.stdout)).toBe(0);
    expect(report.ok).toBe(true);
    for (const id of ["metrics.scrape", "metrics.content-type", "metrics.parse", "metrics.promlint", "metrics.catalog", "metrics.cardinality-probe"]) {
      expect(byId(id).status, `${id}: ${byId(id).summary} ${JSON.stringify(byId(id).findings)}`).toBe("pass");
    }
    expect(byId("metrics.promlint").findings.filter((f) => f.severity === "info").map((f) => f.family).sort()).toEqual([
      "nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total",
    ]);
  });

  it("prints one ✓ line per check in the human format", async () => {
    const result = await runMon(["check", "--only", "metrics"], { cwd: project.dir });
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/^ {2}✓ scrape http:\/\/127\.0\.0\.1:\d+\/metrics — HTTP 200 in \d+ ms/m);
    expect(String(result.stdout)).toContain("6 passed, 0 failed, 0 warnings, 0 skipped");
  });

  it("flags a tenant value outside mon.config.json as a catalog finding", async () => {
    const narrow = await projectDir(`${app.url}/metrics`, { tenants: { ...SHOP_CONFIG.tenants, values: ["EUR"], currency: { EUR: "EUR" } } });
    try {
      const { result, byId } = await check(narrow.dir, []);
      expect(result.exitCode).toBe(1);
      const values = byId("metrics.catalog").findings.filter((f) => f.rule === "monwire/catalog-values");
      expect(values.map((f) => f.message)).toContain('tenant value "KM" outside the allowed set (EUR, unknown, none)');
    } finally {
      await narrow.cleanup();
    }
  });
});

describe("mon check against an app that requires a token", () => {
  const token = "check-token-5d1e";
  let app: RuntimeApp;
  let project: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    app = await startRuntimeApp({ env: { MONWIRE_METRICS_TOKEN: token } });
    project = await projectDir(`${app.url}/metrics`);
  });
  afterAll(async () => {
    await app?.cleanup();
    await project?.cleanup();
  });

  it("reports a missing token as a 401 finding naming the env var, not a crash", async () => {
    const { result, byId } = await check(project.dir, [], { MONWIRE_METRICS_TOKEN: "" });
    expect(result.exitCode).toBe(1);
    expect(byId("metrics.scrape").status).toBe("fail");
    expect(byId("metrics.scrape").summary).toBe("HTTP 401: the endpoint requires a bearer token and MONWIRE_METRICS_TOKEN is not set");
    expect(byId("metrics.promlint").status).toBe("skip");
  });

  it("sends the token from the environment or .env and passes", async () => {
    const fromEnv = await check(project.dir, [], { MONWIRE_METRICS_TOKEN: token });
    expect(fromEnv.result.exitCode).toBe(0);
    await writeFile(join(project.dir, ".env"), `# local secrets\nMONWIRE_METRICS_TOKEN="${token}"\n`);
    const fromFile = await check(project.dir, [], { MONWIRE_METRICS_TOKEN: "" });
    expect(fromFile.result.exitCode).toBe(0);
    expect(String(fromFile.result.stdout)).not.toContain(token);
  });
});

describe("a body that breaks the exposition format", () => {
  const started: Array<{ app: StartedProcess; url: string }> = [];
  const projects: Array<{ dir: string; cleanup: () => Promise<void> }> = [];
  const run = async (mode: string, args: string[] = []) => {
    const broken = await startBroken(mode);
    started.push(broken);
    const project = await projectDir(`${broken.url}/metrics`);
    projects.push(project);
    return check(project.dir, args);
  };
  afterAll(async () => {
    for (const broken of started) await broken.app.stop();
    for (const project of projects) await project.cleanup();
  });

  it("fails the parse at the first bad line, the way Prometheus would, and still lints the lines that parse", async () => {
    const { result, byId } = await run("partial");
    expect(result.exitCode).toBe(1);
    expect(byId("metrics.parse").status).toBe("fail");
    expect(byId("metrics.parse").findings[0]).toMatchObject({
      rule: "text/value", severity: "error", line: 5,
      message: 'text 0.0.4 parse error at line 5: expected float as value, got "one" (value is a float as Go\'s ParseFloat reads it; timestamp an int64 of milliseconds)',
    });
    expect(byId("metrics.parse").summary).toContain("the other checks read the 3 families, 2 samples of the lines that parse (1 line skipped)");
    expect(byId("metrics.promlint").status).toBe("fail");
    const found = byId("metrics.promlint").findings.map((f) => `${f.family}: ${f.message}`);
    expect(found).toContain("loginAttempts: metric names should be written in 'snake_case' not 'camelCase'");
    expect(byId("metrics.catalog").status).not.toBe("skip");
  });

  it("warns (and fails only under --strict) on rules Prometheus does not enforce, with line and wording", async () => {
    const { byId } = await run("spec");
    expect(byId("metrics.parse").status).toBe("warn");
    expect(byId("metrics.parse").findings.map((f) => f.message)).toEqual([
      "line 3: a counter Total MUST NOT be NaN or negative (orders_total is -1)",
      'line 7: buckets MUST be cumulative: a bucket\'s value is never less than the one before (le="+Inf" is 1, less than 2 before it)',
    ]);
    expect(byId("metrics.promlint").status).toBe("pass");
    const strict = await check(projects.at(-1)?.dir as string, ["--strict"]);
    expect(strict.result.exitCode).toBe(1);
    expect(strict.byId("metrics.parse").status).toBe("warn");
  });
});

describe.each([
  ["names", "metrics.promlint", [
    'loginAttempts: counter metrics should have "_total" suffix',
    "loginAttempts: metric names should be written in 'snake_case' not 'camelCase'",
    'request_latency_milliseconds: use base unit "seconds" instead of "milliseconds"',
  ]],
  ["om-text", "metrics.content-type", [
    'OpenMetrics body (ends with "# EOF") served as text/plain: Prometheus parses it as text 0.0.4, which fails on exemplars, info/stateset types and fractional timestamps and mis-names counters',
  ]],
])("a hand-rolled app broken as %s", (mode, checkId, messages) => {
  let broken: { app: StartedProcess; url: string };
  let project: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    broken = await startBroken(mode);
    project = await projectDir(`${broken.url}/metrics`);
  });
  afterAll(async () => {
    await broken?.app.stop();
    await project?.cleanup();
  });

  it(`fails ${checkId} with the exact messages`, async () => {
    const { result, byId } = await check(project.dir, []);
    expect(result.exitCode).toBe(1);
    expect(byId(checkId).status).toBe("fail");
    const found = byId(checkId).findings.map((f) => (f.family ? `${f.family}: ${f.message}` : f.message));
    for (const message of messages) expect(found).toContain(message);
  });

  it("speaks GitHub (within the annotation limits, the rest in the step summary) and JUnit", async () => {
    const summaryFile = join(project.dir, "step-summary.md");
    await writeFile(summaryFile, "");
    const github = await runMon(["check", "--only", "metrics", "--format", "github"], { cwd: project.dir, env: { GITHUB_STEP_SUMMARY: summaryFile } });
    expect(github.exitCode).toBe(1);
    const annotations = String(github.stdout).split("\n").filter((l) => l.startsWith("::"));
    expect(annotations.filter((l) => l.startsWith("::error ")).length).toBeGreaterThan(0);
    expect(annotations.filter((l) => l.startsWith("::error ")).length).toBeLessThanOrEqual(10);
    expect(annotations.filter((l) => l.startsWith("::warning ")).length).toBeLessThanOrEqual(10);
    const { readFile } = await import("node:fs/promises");
    const summary = await readFile(summaryFile, "utf8");
    expect(summary).toContain("## mon check");
    expect(summary).toContain("catalog families are not exposed");
    for (const message of messages) expect(summary).toContain(message.replace(/\|/g, "\\|"));

    const junitFile = join(project.dir, "junit.xml");
    const junit = await runMon(["check", "--only", "metrics", "--format", "junit", "--output", junitFile], { cwd: project.dir });
    expect(junit.exitCode).toBe(1);
    expect(String(junit.stdout)).toBe("");
    const xml = await readFile(junitFile, "utf8");
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="mon check" tests="6" failures="[1-9]" errors="0" skipped="0">/);
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml.trimEnd().endsWith("</testsuites>")).toBe(true);
  });
});

describe("--probe-cardinality on an app whose route label is the raw path", () => {
  let broken: { app: StartedProcess; url: string };
  let project: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    broken = await startBroken("leak");
    project = await projectDir(`${broken.url}/metrics`);
  });
  afterAll(async () => {
    await broken?.app.stop();
    await project?.cleanup();
  });

  it("passes without the probe and fails with it, naming the family and the leaking route values", async () => {
    const without = await check(project.dir, []);
    expect(without.byId("metrics.promlint").status).toBe("pass");
    const { result, byId } = await check(project.dir, ["--probe-cardinality", "12"]);
    expect(result.exitCode).toBe(1);
    const probe = byId("metrics.cardinality-probe");
    expect(probe.status).toBe("fail");
    const leak = probe.findings.find((f) => f.family === "http_requests_total");
    expect(leak?.message).toMatch(/^gained 12 series during 12 requests to non-existent paths: new route="\/monwire-probe-[0-9a-f]{8}\/2-/);
    // The fix names the leaking label and says what to record instead of the raw URL.
    expect(leak?.severity).toBe("error");
    expect(leak?.hint).toBe('Label "route" is taken from the raw URL: record the matched route template and collapse unmatched requests to "unmatched".');
  });
});

describe("when the app is not up", () => {
  it("skips the metric checks (never passes them) outside CI, and fails in CI and under --strict", async () => {
    const project = await projectDir("http://127.0.0.1:9/metrics");
    try {
      const plain = await check(project.dir, [], { CI: "" });
      expect(plain.result.exitCode).toBe(0);
      expect(plain.report.checks.every((c) => c.status === "skip")).toBe(true);
      expect(plain.byId("metrics.scrape").summary).toContain("app not reachable (ECONNREFUSED)");
      const ci = await check(project.dir, [], { CI: "true" });
      expect(ci.result.exitCode).toBe(1);
      expect(ci.byId("metrics.scrape").status).toBe("fail");
      expect(ci.byId("metrics.scrape").summary).toContain("CI is set: an unreachable target is a failure");
      expect(ci.byId("metrics.scrape").hint).toContain("--offline");
      expect(ci.report.checks.filter((c) => c.id !== "metrics.scrape").every((c) => c.status === "skip")).toBe(true);
      const human = await runMon(["check", "--only", "metrics"], { cwd: project.dir });
      expect(human.exitCode).toBe(1);
      expect(String(human.stdout)).toMatch(/✗ scrape http:\/\/127\.0\.0\.1:9\/metrics — app not reachable/);
      expect(String(human.stdout)).toContain("0 passed, 1 failed, 0 warnings, 5 skipped");
      const strict = await check(project.dir, ["--strict"], { CI: "" });
      expect(strict.result.exitCode).toBe(1);
      expect(strict.byId("metrics.scrape").status).toBe("fail");
      expect(strict.byId("metrics.scrape").summary).toContain("--strict: an unreachable target is a failure");
      const offline = await check(project.dir, ["--offline", "--strict"], { CI: "true" });
      expect(offline.result.exitCode).toBe(0);
      expect(offline.byId("metrics.scrape").summary).toContain("--offline");
    } finally {
      await project.cleanup();
    }
  });
});

describe("without mon.config.json", () => {
  it("says which defaults it uses, in the human output and the JSON", async () => {
    const temp = await makeTempDir("monwire-check-noconfig-");
    try {
      const human = await runMon(["check", "--offline"], { cwd: temp.dir });
      const head = String(human.stdout).split("\n").slice(0, 3).join("\n");
      expect(head).toContain(`no mon.config.json found in ${temp.dir} or above: using the defaults`);
      expect(head).toContain("metrics.url http://127.0.0.1:5000/metrics");
      expect(head).toContain("audit.dir logs");
      expect(head).toContain("SENTRY_DSN");
      expect(head).toContain("mon init");
      const json = await runMon(["check", "--offline", "--json"], { cwd: temp.dir });
      const doc = JSON.parse(String(json.stdout));
      expect(doc.config).toEqual({ file: null, searchedFrom: temp.dir, defaults: { "metrics.url": "http://127.0.0.1:5000/metrics", "audit.dir": "logs", "sentry.dsnEnv": "SENTRY_DSN" } });
      const project = await projectDir("http://127.0.0.1:9/metrics");
      try {
        const configured = JSON.parse(String((await runMon(["check", "--offline", "--json"], { cwd: project.dir })).stdout));
        expect(configured.config).toEqual({ file: join(project.dir, "mon.config.json") });
        expect(String((await runMon(["check", "--offline"], { cwd: project.dir })).stdout)).not.toContain("using the defaults");
      } finally {
        await project.cleanup();
      }
    } finally {
      await temp.cleanup();
    }
  });
});
