import type { ResultPromise } from "execa";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoResult } from "../../src/demo/run-demo.js";
import type { TenantTraffic } from "../../src/demo/traffic-counts.js";
import { makeTempDir, runMon } from "../helpers/cli.js";
import { parseExposition, seriesOf, type Exposition } from "../helpers/exposition.js";
import { prometheusAvailable } from "../helpers/prometheus.js";
import { chromiumAvailable, renderInChromium } from "../helpers/browser.js";
import { checkFigure, figuresOf, islandOf } from "../helpers/report-html.js";

/**
 * `mon demo` end to end: the real CLI creates the shop, runs it, drives traffic and prints its
 * findings. Every number it prints must agree with the traffic it reports having sent, and with
 * an independent scrape of the still-running shop's /metrics (and PromQL, when Prometheus is here).
 */
const withPrometheus = prometheusAvailable();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Sum of a metric's samples matching `labels`, over all other labels. */
function total(exposition: Exposition, name: string, labels: Record<string, string>): number {
  return exposition.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

const sum = (tenants: TenantTraffic[], pick: (t: TenantTraffic) => number) => tenants.reduce((n, t) => n + pick(t), 0);

describe("mon demo --json --keep-running", () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let demo: ResultPromise;
  let doc: DemoResult;
  let metrics: Exposition;

  beforeAll(async () => {
    temp = await makeTempDir("monwire-demo-test-");
    const args = ["demo", "--json", "--keep-running", "--duration", "3", "--dir", join(temp.dir, "shop"), ...(withPrometheus ? ["--prometheus"] : [])];
    demo = runMon(args) as unknown as ResultPromise;
    let stdout = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no JSON document within 60 s:\n${stdout}`)), 60_000);
      demo.stdout!.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.endsWith("\n")) {
          clearTimeout(timer);
          resolve();
        }
      });
      demo.then((r) => reject(new Error(`mon demo exited ${r.exitCode} before printing:\n${r.stdout}\n${r.stderr}`)), reject);
    });
    doc = JSON.parse(stdout) as DemoResult;
    metrics = parseExposition(await (await fetch(doc.shop.metricsUrl)).text());
  }, 90_000);

  afterAll(async () => {
    if (demo && demo.exitCode === undefined) demo.kill("SIGKILL");
    await temp?.cleanup();
  });

  it("prints one document that says the demo is running in the given directory", () => {
    expect(doc.dir).toBe(join(temp.dir, "shop"));
    expect(doc.running).toBe(true);
    expect(alive(doc.shop.pid)).toBe(true);
    expect(Object.keys(doc.traffic.tenants).sort()).toEqual(["EUR", "KM"]);
    expect(doc.traffic.requests).toBeGreaterThan(30);
  });

  it("passes its own mon check (nothing failed, metrics, Sentry and audit checked)", () => {
    expect(doc.checkFailed).toBe(false);
    expect(doc.check.checks.filter((c) => c.status === "fail")).toEqual([]);
    const passed = new Set(doc.check.checks.filter((c) => c.status === "pass").map((c) => c.group));
    expect([...passed].sort()).toEqual(["audit", "metrics", "sentry"]);
  });

  it("reports the traffic it sent: money, keys, logins, branches per tenant", () => {
    const s = doc.report.summary;
    for (const [tenant, t] of Object.entries(doc.traffic.tenants)) {
      const row = s.financial.find((f) => f.tenant === tenant);
      expect(row, tenant).toMatchObject({
        currency: t.currency,
        deposit: { count: t.deposits.count, amountMinor: t.deposits.amountMinor, failures: 0 },
        purchase: { count: t.purchases.count, amountMinor: t.purchases.amountMinor, failures: t.purchases.insufficientFunds },
      });
      const keys = Object.fromEntries(s.license.filter((l) => l.tenant === tenant).map((l) => [l.product, l.keys]));
      expect(keys, tenant).toEqual(t.licenseKeys);
      // Security signals (brute force, access-denied bursts) fire by time window, so the traffic
      // cannot predict them: the shop's own counter, scraped independently, says how many fired.
      const signals = total(metrics, "security_signals_total", { tenant });
      expect(s.security.omitted).toBe(0);
      expect(s.security.events.filter((e) => e.tenant === tenant), tenant).toHaveLength(signals);
      const events = t.logins.succeeded + t.logins.failed + t.logins.lockouts + t.sessions.started + t.sessions.ended +
        t.deposits.count + t.purchases.count + t.purchases.insufficientFunds + t.keyBatches + t.branches + signals;
      expect(s.byTenant.find((b) => b.tenant === tenant)?.total, tenant).toBe(events);
    }
    const tenants = Object.values(doc.traffic.tenants);
    expect(s.authentication).toMatchObject({
      successes: sum(tenants, (t) => t.logins.succeeded),
      failures: sum(tenants, (t) => t.logins.failed),
      lockouts: sum(tenants, (t) => t.logins.lockouts),
      logouts: sum(tenants, (t) => t.sessions.ended),
    });
    expect(s.userManagement.branchesCreated).toBe(sum(tenants, (t) => t.branches));
    expect(doc.report.missing).toEqual([]);
  });

  it("verifies the signed trail as intact, entry for entry", () => {
    expect(doc.verify.status).toBe("intact");
    expect(doc.verify.keyed).toBe(true);
    expect(doc.verify.summary.entries).toBe(doc.report.summary.events.total);
    expect(doc.verify.files.every((f) => f.status === "valid")).toBe(true);
  });

  it("got one tagged Sentry event per crash, and leaked no secret", () => {
    const crashes = sum(Object.values(doc.traffic.tenants), (t) => t.crashes);
    expect(crashes).toBe(2);
    expect(doc.sentry.events).toHaveLength(crashes);
    expect(doc.sentry.events.map((e) => e.tags.tenant).sort()).toEqual(["EUR", "KM"]);
    for (const event of doc.sentry.events) {
      expect(event.transaction).toBe("GET /api/reports/:day");
      expect(event.tags).toMatchObject({ error_category: "system", user_role: "cashier" });
    }
    expect(doc.leaks.secretsChecked).toBeGreaterThan(6);
    expect(doc.leaks).toMatchObject({ auditLines: 0, sentryEnvelopes: 0 });
  });

  it("agrees with an independent scrape of the running shop's /metrics", () => {
    for (const [tenant, t] of Object.entries(doc.traffic.tenants)) {
      expect(total(metrics, "http_requests_total", { tenant }), tenant).toBe(t.requests);
      expect(total(metrics, "wallet_transactions_total", { tenant, type: "deposit", outcome: "success" })).toBe(t.deposits.count);
      expect(total(metrics, "wallet_transactions_total", { tenant, type: "purchase", outcome: "success" })).toBe(t.purchases.count);
      expect(total(metrics, "wallet_transactions_total", { tenant, type: "purchase", outcome: "failure" })).toBe(t.purchases.insufficientFunds);
      expect(total(metrics, "authentication_attempts_total", { tenant, outcome: "success" })).toBe(t.logins.succeeded);
      expect(total(metrics, "authentication_attempts_total", { tenant, outcome: "failure" })).toBe(t.logins.failed);
      expect(total(metrics, "branches_created_total", { tenant })).toBe(t.branches);
      expect(total(metrics, "api_errors_total", { tenant, kind: "exception" })).toBe(t.crashes);
      expect(total(metrics, "active_user_sessions", { tenant })).toBe(t.sessions.started - t.sessions.ended);
      for (const [product, keys] of Object.entries(t.licenseKeys)) expect(total(metrics, "license_keys_generated_total", { tenant, product })).toBe(keys);
    }
    // Every series of http_requests_total belongs to a configured tenant: nothing leaked into none/unknown.
    expect([...seriesOf(metrics, "http_requests_total").keys()].every((k) => /tenant=(EUR|KM)$|tenant=(EUR|KM),/.test(k))).toBe(true);
  });

  it("writes the day's HTML report, whose figures equal mon report --format json, and renders it in Chromium", async () => {
    const file = doc.files.reportHtml as string;
    expect(file).toBe(join(doc.dir, "report.html"));
    const html = readFileSync(file, "utf8");
    const key = readFileSync(join(doc.dir, ".env"), "utf8").match(/MONWIRE_AUDIT_KEY=(\w+)/)![1] as string;
    const json = await runMon(["report", "--format", "json", "--from", doc.report.range.from, "--to", doc.report.range.to], { cwd: doc.dir, env: { MONWIRE_AUDIT_KEY: key } });
    const fresh = JSON.parse(String(json.stdout));
    expect((islandOf(html) as typeof doc.report).summary).toEqual(fresh.summary);
    const figures = figuresOf(html);
    expect(figures.length).toBeGreaterThan(40);
    for (const f of figures) checkFigure(fresh, f);
    if (!chromiumAvailable()) return;
    const rendered = await renderInChromium(file);
    expect(rendered.console).toEqual([]);
    expect(rendered.requests).toHaveLength(1);
    expect(rendered.integrity).toBe("intact");
    expect(rendered.figures).toHaveLength(figures.length);
  });

  it.skipIf(!withPrometheus)("answers PromQL requests per tenant with what was sent", () => {
    expect(doc.prometheus?.target.health).toBe("up");
    expect(doc.prometheus?.perTenant).toEqual(Object.fromEntries(Object.entries(doc.traffic.tenants).map(([k, t]) => [k, t.requests])));
  });

  it("stops everything it started on Ctrl-C and exits 130", async () => {
    demo.kill("SIGINT");
    const result = await demo;
    expect(result.exitCode, String(result.stderr)).toBe(130);
    expect(alive(doc.shop.pid)).toBe(false);
    if (doc.prometheus) expect(alive(doc.prometheus.pid)).toBe(false);
  });
});

describe("mon demo (human output)", () => {
  it("prints check, report, verify, Sentry and locations in that order, then stops the shop", async () => {
    const temp = await makeTempDir("monwire-demo-human-");
    try {
      const result = await runMon(["demo", "--duration", "1", "--dir", join(temp.dir, "shop")]);
      expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
      const stdout = String(result.stdout);
      const headings = ["1. mon check", "2. mon report (today, UTC)", "3. mon verify", "4. Sentry", "5. Where everything lives"];
      const positions = headings.map((h) => stdout.indexOf(`\n${h}\n`) + 1 || stdout.indexOf(`${h}\n`));
      expect(positions.every((p) => p >= 0), stdout).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(stdout).toMatch(/entries — intact/);
      expect(stdout).toContain("2 error events arrived");
      expect(stdout).toContain(`Report (HTML)    ${join(temp.dir, "shop", "report.html")}`);
      expect(existsSync(join(temp.dir, "shop", "report.html"))).toBe(true);
      expect(String(result.stderr)).toMatch(/demo: sent [\d,]+ requests?/);
      const saved = JSON.parse(readFileSync(join(temp.dir, "shop", "demo-result.json"), "utf8")) as DemoResult;
      expect(saved.running).toBe(false);
      expect(alive(saved.shop.pid)).toBe(false);
      expect(stdout).not.toContain(readFileSync(join(temp.dir, "shop", ".env"), "utf8").match(/MONWIRE_AUDIT_KEY=(\w+)/)![1]);
    } finally {
      await temp.cleanup();
    }
  }, 60_000);
});

describe("mon demo and the temp directory", () => {
  it("removes its temporary directory on exit and keeps only the HTML report, in one fixed file", async () => {
    const temp = await makeTempDir("monwire-demo-tmp-");
    try {
      const result = await runMon(["demo", "--duration", "1"], { env: { TMPDIR: temp.dir } });
      expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
      const report = join(temp.dir, "monwire-demo-report.html");
      expect(readdirSync(temp.dir)).toEqual(["monwire-demo-report.html"]);
      expect(String(result.stdout)).toContain(`Report (HTML)    ${report}`);
      expect(String(result.stdout)).toMatch(/Demo directory {3}\S+monwire-demo-\S+ \(temporary: removed; run with --keep/);
      expect(readFileSync(report, "utf8")).toContain('id="monwire-report"');
      const kept = await runMon(["demo", "--duration", "1", "--keep", "--json"], { env: { TMPDIR: temp.dir } });
      const doc = JSON.parse(String(kept.stdout)) as DemoResult;
      expect(doc.kept).toBe(true);
      expect(existsSync(join(doc.dir, "report.html"))).toBe(true);
      expect(readdirSync(temp.dir).filter((n) => n.startsWith("monwire-demo-") && n !== "monwire-demo-report.html")).toHaveLength(1);
    } finally {
      await temp.cleanup();
    }
  }, 90_000);
});

describe("mon demo usage errors", () => {
  it("exits 2 naming apt-get install prometheus when --prometheus cannot run, creating nothing", async () => {
    const temp = await makeTempDir("monwire-demo-noprom-");
    try {
      const result = await runMon(["demo", "--prometheus", "--dir", join(temp.dir, "shop")], { env: { PATH: temp.dir } });
      expect(result.exitCode).toBe(2);
      expect(String(result.stderr)).toContain("apt-get install prometheus");
      expect(existsSync(join(temp.dir, "shop"))).toBe(false);
    } finally {
      await temp.cleanup();
    }
  });

  it("refuses a directory that is not empty and a bad --duration", async () => {
    const temp = await makeTempDir("monwire-demo-busy-");
    try {
      writeFileSync(join(temp.dir, "notes.txt"), "mine\n");
      const busy = await runMon(["demo", "--dir", temp.dir]);
      expect(busy.exitCode).toBe(2);
      expect(String(busy.stderr)).toContain("is not empty");
      expect(readdirSync(temp.dir)).toEqual(["notes.txt"]);
      const duration = await runMon(["demo", "--duration", "0", "--dir", join(temp.dir, "shop")]);
      expect(duration.exitCode).toBe(2);
      expect(String(duration.stderr)).toContain("--duration");
    } finally {
      await temp.cleanup();
    }
  });
});
