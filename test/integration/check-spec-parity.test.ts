import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promlint } from "../../src/probe/lint-promlint.js";
import { CONTENT_TYPES, parseExposition } from "../../src/probe/parse-exposition.js";
import { decodeBody } from "../../src/probe/parse-utf8.js";
import { FIXTURES, makeTempDir } from "../helpers/cli.js";
import { prometheusAvailable, startPrometheus, type PrometheusServer, type PromTarget } from "../helpers/prometheus.js";
import { promtoolAvailable } from "../helpers/promtool.js";
import { corpusFiles, SPEC_CORPUS } from "../helpers/spec-corpus.js";

/**
 * Verdict parity on the exposition-rule corpus (plus the OpenMetrics bodies of the older corpus
 * and spec/edges/, corners of Prometheus' OpenMetrics lexer: whitespace, escapes, NUL bytes,
 * bad UTF-8, exemplar placement, number and timestamp forms):
 * `mon check` rejects a body exactly when Prometheus does. Text 0.0.4 is judged by Debian's
 * `promtool check metrics` (same line, same message, same lint problems); OpenMetrics by a real
 * Prometheus 2.42 scraping each body from a loopback server with the OpenMetrics content type,
 * where a scrape error (the target's lastError) is the reject verdict. One Prometheus process
 * scrapes every case as its own target, once a second.
 */
/** What `mon check` makes of the bytes: decoded like a scrape, parsed with recovery. */
function monwire(bytes: Buffer, format: "text" | "openmetrics") {
  const { body, invalidUtf8 } = decodeBody(bytes);
  return parseExposition(body, format, { recover: true, invalidUtf8 });
}

const textCases = corpusFiles().filter((f) => f.startsWith("text/"));

describe.runIf(promtoolAvailable())("text 0.0.4: verdict parity with promtool check metrics", () => {
  it.each(textCases)("%s", (file) => {
    const body = readFileSync(join(SPEC_CORPUS, file));
    const run = spawnSync("promtool", ["check", "metrics"], { input: body, encoding: "utf8" });
    const parse = /^error while linting: text format parsing error in line (\d+): ([\s\S]*)\n$/.exec(run.stderr);
    const mine = monwire(body, "text");
    if (parse) {
      expect(run.status).toBe(1);
      expect({ line: mine.parseError?.line, message: mine.parseError?.detail }).toEqual({ line: Number(parse[1]), message: parse[2] });
      expect(file).toContain(".invalid");
    } else {
      expect(mine.parseError).toBeUndefined();
      const problems = run.stderr.split("\n").filter((l) => l.length > 0);
      expect(promlint(mine.families).map((p) => `${p.metric} ${p.text}`)).toEqual(problems);
    }
  });
});

/** Every OpenMetrics body: the rule corpus, the parser corpus' `*.om` files and the lexer edge cases. */
const omCases: Array<[name: string, body: Buffer]> = [
  ...corpusFiles().filter((f) => f.startsWith("openmetrics/")).map((f): [string, Buffer] => [f, readFileSync(join(SPEC_CORPUS, f))]),
  ...readdirSync(join(FIXTURES, "exposition")).filter((f) => f.endsWith(".om")).sort()
    .map((f): [string, Buffer] => [f, readFileSync(join(FIXTURES, "exposition", f))]),
  ...readdirSync(join(SPEC_CORPUS, "edges")).sort().map((f): [string, Buffer] => [`edges/${f}`, readFileSync(join(SPEC_CORPUS, "edges", f))]),
];

describe.runIf(prometheusAvailable())("OpenMetrics: verdict parity with a real Prometheus scrape", () => {
  let server: Server;
  let prometheus: PrometheusServer | undefined;
  let temp: { dir: string; cleanup: () => Promise<void> };
  const verdicts = new Map<string, string>();

  beforeAll(async () => {
    const bodies = new Map(omCases.map(([, body], index) => [`/case/${index}`, body]));
    server = createServer((req, res) => {
      const body = bodies.get(req.url ?? "");
      if (body === undefined) return res.writeHead(404).end();
      res.writeHead(200, { "Content-Type": CONTENT_TYPES.openmetrics }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    temp = await makeTempDir("monwire-om-parity-");
    const targets = omCases.map(([name], index) =>
      `      - targets: ["127.0.0.1:${port}"]\n        labels: {__metrics_path__: "/case/${index}", case: ${JSON.stringify(name)}}`);
    const configYaml = ["global:", "  scrape_interval: 1s", "  scrape_timeout: 1s", "scrape_configs:", "  - job_name: cases", "    static_configs:", ...targets, ""].join("\n");
    prometheus = await startPrometheus({ dir: temp.dir, configYaml });
    // Every target scraped once: health leaves "unknown". Bounded, like a scrape timeout.
    const until = Date.now() + 60_000;
    let seen: PromTarget[] = [];
    while (Date.now() < until) {
      seen = await prometheus.targets();
      if (seen.length === omCases.length && seen.every((t) => t.health !== "unknown")) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const target of seen) if (target.health !== "unknown") verdicts.set(target.labels.case as string, target.lastError);
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => server?.close(resolve));
    await temp?.cleanup();
  });

  it("scraped every case", () => {
    expect([...verdicts.keys()].sort()).toEqual(omCases.map(([name]) => name).sort());
  });

  it.each(omCases)("%s", (name, body) => {
    const prometheusError = verdicts.get(name);
    expect(prometheusError, "not scraped").toBeDefined();
    const error = monwire(body, "openmetrics").parseError;
    const mine = error ? `line ${error.line}: ${error.detail}` : "";
    // Reject iff Prometheus rejects; the messages differ (Prometheus names no line).
    expect(mine === "", `monwire: ${mine || "accepts"}; Prometheus: ${prometheusError || "accepts"}`).toBe(prometheusError === "");
  });
});
