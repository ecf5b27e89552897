import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, countPdfPages, renderInChromium } from "../helpers/browser.js";
import { makeTempDir, REPO_ROOT, runMon } from "../helpers/cli.js";
import { checkFigure, figuresOf, islandOf, type Figure } from "../helpers/report-html.js";
import { generateShopTrail } from "../helpers/report-trail.js";

/**
 * `mon report --format html` against `--format json` on the same generated trail: the embedded
 * JSON island is the JSON report, and every visible figure (each carries its JSON path in
 * `data-k`) shows exactly the JSON's number. Then Debian's Chromium renders it: no console
 * errors, no request beyond the file itself, no overflow at A4 width, an A4 PDF; a screenshot and
 * the PDF are kept in test-artifacts/report-html/ (git-ignored).
 */
const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "report-html");
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await makeTempDir("monwire-report-html-");
  cleanup = temp.cleanup;
  dir = join(temp.dir, "logs");
  const generated = generateShopTrail({ seed: 5, start: "2025-01-03T00:00:30.000Z", entries: 2400, stepMs: 100_000, writers: 2, restartEvery: 900 });
  await generated.trail.write(dir);
});

afterAll(async () => cleanup?.());

async function reports(args: string[]) {
  const json = await runMon(["report", "--dir", dir, "--format", "json", ...args]);
  const html = await runMon(["report", "--dir", dir, "--format", "html", ...args]);
  return { json, html, report: JSON.parse(String(json.stdout)), page: String(html.stdout) };
}

describe("mon report --format html", () => {
  it("embeds the JSON report and shows every figure exactly as --format json", async () => {
    const { json, html, report, page } = await reports(["--day", "2025-01-04"]);
    expect(html.exitCode).toBe(json.exitCode);
    expect({ ...(islandOf(page) as object), generatedAt: "" }).toEqual({ ...report, generatedAt: "" });
    const figures = figuresOf(page);
    for (const f of figures) checkFigure(report, f);
    const paths = figures.map((f) => f.k).join("\n");
    for (const needed of [
      "summary.events.total", "summary.hourly[23].count", "summary.financial[0].deposit.amountMinor", "summary.financial[0].purchase.count",
      "summary.financial[1].refund.failures", "summary.license[0].keys", "summary.authentication.failures", "summary.authentication.topFailingIps[0].count",
      "summary.authentication.topFailingAccounts[0].count", "summary.userManagement.branchesCreated", "summary.userManagement.roleChanges",
      "summary.security.count", "summary.admin.count", "summary.byCategory[5].total", "summary.byTenant[0].total",
    ]) expect(paths).toContain(needed);
    expect(report.summary.hourly.every((h: { count: number; byCategory: Record<string, number> }) => Object.values(h.byCategory).reduce((a, b) => a + b, 0) === h.count)).toBe(true);
    // The verdict comes before any figure, and no external resource is referenced.
    expect(page.indexOf('id="integrity"')).toBeLessThan(page.indexOf("data-k="));
    expect(page).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(page).toContain("Content-Security-Policy");
  });

  it("draws one stacked bar per day for a range over two days, each the sum of its hours", async () => {
    const { report, page } = await reports(["--from", "2025-01-03", "--to", "2025-01-05"]);
    const bars = figuresOf(page).filter((f) => f.k.includes("hourly"));
    expect(bars).toHaveLength(3);
    for (const f of bars) checkFigure(report, f);
    expect(bars.reduce((n, f) => n + Number(f.v), 0)).toBe(report.summary.events.total);
  });

  it("puts a tampered verdict first and exits 1", async () => {
    const temp = await makeTempDir("monwire-report-html-tamper-");
    try {
      const copy = join(temp.dir, "logs");
      await mkdir(copy);
      const text = await readFile(join(dir, "audit-2025-01-04.log"), "utf8");
      await writeFile(join(copy, "audit-2025-01-04.log"), text.replace(/"minor":(\d)/, '"minor":9$1'));
      const result = await runMon(["report", "--dir", copy, "--day", "2025-01-04", "--format", "html"]);
      expect(result.exitCode).toBe(1);
      expect(String(result.stdout)).toMatch(/<div class="verdict tampered" id="integrity" data-status="tampered"><h2>Integrity: TAMPERED/);
    } finally {
      await temp.cleanup();
    }
  });

  it.runIf(chromiumAvailable())("renders in Chromium with no console errors or requests and prints on A4", async () => {
    const temp = await makeTempDir("monwire-report-html-browser-");
    try {
      const { report, page } = await reports(["--day", "2025-01-04"]);
      const file = join(temp.dir, "report.html");
      await writeFile(file, page);
      const rendered = await renderInChromium(file);
      await mkdir(ARTIFACTS, { recursive: true });
      await writeFile(join(ARTIFACTS, "report.png"), rendered.png);
      await writeFile(join(ARTIFACTS, "report-first-screen.png"), rendered.firstScreen);
      await writeFile(join(ARTIFACTS, "report.pdf"), rendered.pdf);
      process.stderr.write(`report-html: screenshot and PDF in ${ARTIFACTS}\n`);
      expect(rendered.console).toEqual([]);
      expect(rendered.requests).toEqual([`file://${file}`]);
      expect(rendered.integrity).toBe(report.integrity.status);
      const byPath = (a: Figure, b: Figure) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0);
      expect([...rendered.figures].sort(byPath)).toEqual(figuresOf(page).sort(byPath));
      expect(rendered.figures.length).toBeGreaterThan(100);
      expect(rendered.scrollWidth).toBeLessThanOrEqual(794);
      expect(rendered.pdf.subarray(0, 5).toString()).toBe("%PDF-");
      expect(countPdfPages(rendered.pdf)).toBeGreaterThanOrEqual(2);
      expect(rendered.png.length).toBeGreaterThan(20_000);
      // The print stylesheet (A4, no screen padding) must not overflow the page either.
      const printed = await renderInChromium(file, { media: "print" });
      await writeFile(join(ARTIFACTS, "report-print-first-screen.png"), printed.firstScreen);
      expect(printed.console).toEqual([]);
      expect(printed.scrollWidth).toBeLessThanOrEqual(794);
    } finally {
      await temp.cleanup();
    }
  });

  it.runIf(chromiumAvailable())("the browser check sees console errors and outside requests when a page has them", async () => {
    const temp = await makeTempDir("monwire-report-html-control-");
    try {
      const file = join(temp.dir, "bad.html");
      await writeFile(file, '<!doctype html><body><img src="http://127.0.0.1:9/x.png"><script>console.error("broken")</script></body>');
      const rendered = await renderInChromium(file);
      expect(rendered.console).toContainEqual({ level: "error", text: "broken" });
      expect(rendered.requests).toContain("http://127.0.0.1:9/x.png");
    } finally {
      await temp.cleanup();
    }
  });
});
