import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestTrail, readLines, writeLines } from "../helpers/audit-trail.js";
import { makeTempDir, runMon } from "../helpers/cli.js";

/**
 * Several hosts' trails: three hosts (web-1, web-2, worker-1), each with its own writers over two
 * days. `mon verify` takes a directory of host directories or repeated --dir, verifies every
 * host's chains, and names the host, the file and the line of a tampered entry. A trail exported
 * as NDJSON in shuffled order verifies the same way, and a tampered export names its line.
 */
const KEYLESS = { MONWIRE_AUDIT_KEY: "" };
const HOSTS = ["web-1", "web-2", "worker-1"];
const D1 = "2025-03-10";
const D2 = "2025-03-11";

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: root, cleanup } = await makeTempDir("monwire-hosts-"));
  for (const [i, host] of HOSTS.entries()) {
    const trail = new TestTrail({ start: `${D1}T08:0${i}:00.000Z`, stepMs: 60_000 });
    const a = trail.writer({ id: `${host.replace(/[^a-z0-9]/g, "")}aaaa`.slice(0, 12).padEnd(12, "a") });
    for (let n = 0; n < 4; n++) a.record({ tenant: n % 2 ? "KM" : "EUR", amount: { minor: 100 * (n + 1) + i, currency: "EUR" } });
    trail.at(`${D2}T09:0${i}:00.000Z`);
    const b = trail.writer({ id: `${host.replace(/[^a-z0-9]/g, "")}bbbb`.slice(0, 12).padEnd(12, "b") });
    for (let n = 0; n < 3; n++) (n % 2 ? a : b).record({ tenant: "KM", amount: { minor: 700 + n, currency: "BAM" } });
    await mkdir(join(root, host));
    await trail.write(join(root, host));
  }
});
afterEach(async () => cleanup());

/** Changes the amount on one line of a host's day file, without recomputing anything. */
async function tamper(host: string, day: string, lineIndex: number): Promise<void> {
  const file = join(root, host, `audit-${day}.log`);
  const lines = await readLines(file);
  lines[lineIndex] = lines[lineIndex]!.replace(/"minor":(\d+)/, (_, n: string) => `"minor":${Number(n) + 1}`);
  await writeLines(file, lines);
}

describe("mon verify over several hosts", () => {
  it("a directory of host directories: all intact → exit 0, every host reported", async () => {
    const result = await runMon(["verify", "--dir", root], { env: KEYLESS });
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    for (const host of HOSTS) expect(String(result.stdout)).toMatch(new RegExp(`^\\[${host}\\] audit-${D1}\\.log\\s+valid`, "m"));
    expect(String(result.stdout)).toContain("3 hosts: all intact");
  });

  it("one tampered host → exit 1 naming the host, the file and the line; the others stay valid", async () => {
    await tamper("web-2", D1, 2);
    const result = await runMon(["verify", "--dir", root], { env: KEYLESS });
    expect(result.exitCode).toBe(1);
    const out = String(result.stdout);
    expect(out).toMatch(new RegExp(`^\\[web-2\\] audit-${D1}\\.log\\s+INVALID: .*line 3\\b`, "m"));
    expect(out).toMatch(new RegExp(`^\\[web-1\\] audit-${D1}\\.log\\s+valid`, "m"));
    expect(out).toMatch(new RegExp(`^\\[worker-1\\] audit-${D1}\\.log\\s+valid`, "m"));
    expect(out).toContain("3 hosts: TAMPERED on web-2");

    // Repeated --dir gives the same verdicts, and --json names the host with the file and line.
    const json = await runMon(["verify", "--json", ...HOSTS.flatMap((h) => ["--dir", join(root, h)])], { env: KEYLESS });
    expect(json.exitCode).toBe(1);
    const report = JSON.parse(String(json.stdout)) as { status: string; hosts: Array<{ host: string; report: { status: string; files: Array<{ name: string; status: string; issues: Array<{ line?: number }> }> } }> };
    expect(report.status).toBe("tampered");
    const bad = report.hosts.find((h) => h.report.status === "tampered")!;
    expect(bad.host).toBe("web-2");
    const file = bad.report.files.find((f) => f.status === "invalid")!;
    expect(file.name).toBe(`audit-${D1}.log`);
    expect(file.issues.map((i) => i.line)).toContain(3);
  });
});

describe("mon verify --ndjson", () => {
  async function exportHost(host: string, transform: (line: string) => string = (l) => l): Promise<{ file: string; lines: string[] }> {
    const lines: string[] = [];
    for (const name of (await readdir(join(root, host))).filter((n) => n.endsWith(".log")).sort()) lines.push(...(await readLines(join(root, host, name))));
    // A deterministic shuffle: the order a search export returns is arbitrary.
    const shuffled = lines.map((line, i) => ({ line, key: (i * 7919) % 101 })).sort((a, b) => a.key - b.key).map((x) => transform(x.line));
    const file = join(root, `${host}.ndjson`);
    await writeFile(file, shuffled.map((l) => `${l}\n`).join(""));
    return { file, lines: shuffled };
  }

  it("a shuffled export of intact lines verifies, as raw lines and as documents with event.original", async () => {
    const raw = await exportHost("web-1");
    const result = await runMon(["verify", "--ndjson", raw.file], { env: KEYLESS });
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toMatch(/web-1\.ndjson \[2025-03-10\]\s+valid/);

    const docs = await exportHost("web-2", (line) => JSON.stringify({ "@timestamp": JSON.parse(line).ts, event: { original: line }, service: { name: "shop" } }));
    const fromDocs = await runMon(["verify", "--ndjson", docs.file], { env: KEYLESS });
    expect(fromDocs.exitCode, String(fromDocs.stdout)).toBe(0);
  });

  it("a tampered line in the export → exit 1 naming the export file and that line", async () => {
    const exported = await exportHost("worker-1");
    const target = exported.lines.findIndex((l) => l.includes('"minor":'));
    exported.lines[target] = exported.lines[target]!.replace(/"minor":(\d+)/, (_, n: string) => `"minor":${Number(n) + 5}`);
    await writeFile(exported.file, exported.lines.map((l) => `${l}\n`).join(""));
    const result = await runMon(["verify", "--ndjson", exported.file], { env: KEYLESS });
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(new RegExp(`worker-1\\.ndjson \\[\\d{4}-\\d{2}-\\d{2}\\]\\s+INVALID: .*line ${target + 1}\\b`));
  });

  it("lines that are no audit entry are findings; a missing file is a usage error", async () => {
    const exported = await exportHost("web-1");
    await writeFile(exported.file, `${exported.lines.join("\n")}\nnot json\n`);
    const result = await runMon(["verify", "--ndjson", exported.file], { env: KEYLESS });
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(new RegExp(`web-1\\.ndjson\\s+INVALID: 1 line\\(s\\) hold no audit entry \\(line ${exported.lines.length + 1}\\)`));
    const missing = await runMon(["verify", "--ndjson", join(root, "nope.ndjson")], { env: KEYLESS });
    expect(missing.exitCode).toBe(2);
  });
});
