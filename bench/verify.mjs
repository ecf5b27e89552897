#!/usr/bin/env node
// Benchmark: `mon verify` throughput (MB/s) on a generated, HMAC-signed audit trail.
// Standalone: node bench/verify.mjs [--mb 200] [--days 8] [--rounds 5] [--keep] [--before DIR]. Needs a built dist/.
// --before DIR (repeatable): also time the `mon verify` of another checkout (built), in the same rounds, e.g. the
// commit before a change: `git worktree add /tmp/verify-before <commit> && (cd /tmp/verify-before && npm run build)`.
// Side by side in one run: mon verify with all cores, with one thread, `sha256sum` and
// `openssl dgst -sha256` over the same files (the floor: reading and hashing the bytes once, no
// parsing; OpenSSL uses the SHA extensions). Prints one JSON document.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const { SyntheticTrail } = await import(join(root, "dist/audit/synthetic-trail.js"));

const { values } = parseArgs({ options: { mb: { type: "string", default: "200" }, days: { type: "string", default: "8" }, rounds: { type: "string", default: "5" }, keep: { type: "boolean", default: false }, before: { type: "string", multiple: true } } });
const targetBytes = Number(values.mb) * 1e6;
const dayCount = Number(values.days);
const key = "bench-key-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "monwire-bench-verify-"));

/** A deposit at a branch terminal: the bulk of the trail, about 560 bytes a line. */
const deposit = (i, d, ts) => ({
  ts, category: "financial", action: i % 5 === 0 ? "wallet.purchase" : "wallet.deposit", tenant: "KM", actor: { id: "branch-7", role: "cashier", type: "user" },
  amount: { currency: "BAM", minor: 1000 + (i % 9000) }, data: { balance_after_minor: 250000 + i, note: `deposit at branch terminal ${i % 40}`, order: `ORD-${d}-${i}` },
  ip: `10.0.${i % 255}.${(i * 7) % 255}`, request_id: `req-${i.toString(16).padStart(12, "0")}`, tx_id: `tx-${d}-${i}`,
  user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
});

// The one synthetic-trail generator (the tests' too), streaming into day files. A long-running
// writer spans every day; each day also has two short-lived writers (restarts), the first linking
// the previous day's last short-lived writer.
const generateStart = performance.now();
const perDay = targetBytes / dayCount;
const trail = new SyntheticTrail({ key, streamTo: dir, process: { pid: 1234, hostname: "bench" } });
let longRunner;
let entries = 0;
let last;
for (let d = 0; d < dayCount; d++) {
  const day = new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10);
  let t = Date.parse(`${day}T00:00:00.000Z`);
  if (d === 0) longRunner = trail.writer({ id: "longrunner01", link: null, ts: new Date(t).toISOString() });
  const writers = [];
  for (const suffix of ["a", "b"]) {
    const writer = trail.writer({ id: `day${d}${suffix}`.padEnd(12, "0"), link: last ?? longRunner, ts: new Date(t++).toISOString() });
    writers.push(writer);
    last = writer;
  }
  const writer = (i) => (i % 3 === 0 ? longRunner : writers[i % 2]);
  const dayStart = trail.streamed;
  for (let i = 0; trail.streamed - dayStart < perDay; i++, t += 250) {
    writer(i).record(deposit(i, d, new Date(t).toISOString()));
    entries += 1;
  }
}
trail.close();
const lastDay = new Date(Date.UTC(2025, 0, dayCount)).toISOString().slice(0, 10);
await trail.seal(dir, lastDay);
const generateSeconds = (performance.now() - generateStart) / 1000;
const files = readdirSync(dir).filter((n) => n.endsWith(".log")).map((n) => join(dir, n));
const totalBytes = files.reduce((n, f) => n + statSync(f).size, 0);
const mb = totalBytes / 1e6;

// NODE_EXTRA_CA_CERTS makes every Node process parse that CA bundle at startup, before any of its
// own code runs: about 70 ms here, where the sandbox sets it for its npm proxy. A verify makes no
// TLS connection, and a server verifying its trail would not normally have it set, so the timed
// commands run without it; one extra row shows `mon verify` as this machine starts Node.
const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...cleanEnv } = process.env;

// Wall time, plus CPU time from /usr/bin/time: on a shared machine the wall clock mostly measures
// the neighbours, while MB per CPU-second is what one core does (an idle 2-core machine runs
// `mon verify` at about twice that, since it verifies on both cores).
function timeRun(command, args, env = {}, baseEnv = cleanEnv) {
  const t0 = performance.now();
  const run = spawnSync("/usr/bin/time", ["-f", "cpu %U %S", command, ...args], { env: { ...baseEnv, ...env }, maxBuffer: 1 << 28, encoding: "utf8" });
  const seconds = (performance.now() - t0) / 1000;
  const [, user, sys] = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(run.stderr) ?? [];
  return { seconds, cpuSeconds: Number(user) + Number(sys), exitCode: run.status, stderr: run.status !== 0 ? run.stderr.slice(0, 500) : undefined };
}
const round = (n) => Math.round(n * 100) / 100;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const mon = [join(root, "bin/mon.js"), "verify", "--dir", dir, "--json"];
const env = { MONWIRE_AUDIT_KEY: key };
const commands = [
  { name: "mon verify (auto jobs)", command: process.execPath, args: mon, env },
  { name: "mon verify --jobs 1", command: process.execPath, args: [...mon, "--jobs", "1"], env },
  { name: "sha256sum (read + hash)", command: "sha256sum", args: files },
  // OpenSSL's SHA-256 uses the CPU's SHA extensions where sha256sum may not: the real floor for reading and hashing the bytes once.
  { name: "openssl dgst -sha256 (read + hash floor)", command: "openssl", args: ["dgst", "-sha256", ...files] },
  ...(extraCaCerts === undefined ? [] : [{ name: "mon verify (auto jobs), with this machine's NODE_EXTRA_CA_CERTS", command: process.execPath, args: mon, env, baseEnv: process.env }]),
];
// Each --before adds its rows right after the rows they compare with, so every round runs the
// builds back to back (the first --before's rows come first).
for (const dir of [...(values.before ?? [])].reverse()) {
  const before = [join(dir, "bin/mon.js"), ...mon.slice(1)];
  let label;
  try {
    label = execFileSync("git", ["-C", dir, "log", "-1", "--format=%h"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    label = dir; // an exported tree (git archive) is not a checkout
  }
  const auto = commands.findIndex((c) => c.name === "mon verify (auto jobs)");
  commands.splice(auto + 1, 0, { name: `before (${label}): mon verify (auto jobs)`, command: process.execPath, args: before, env });
  const one = commands.findIndex((c) => c.name === "mon verify --jobs 1");
  commands.splice(one + 1, 0, { name: `before (${label}): mon verify --jobs 1`, command: process.execPath, args: [...before, "--jobs", "1"], env });
}
// One warm-up run (page cache), then the commands in turn, `rounds` times: neighbours on a shared
// machine slow single runs by 10-20 %, so each row is the median run, with the fastest beside it.
const rounds = Number(values.rounds);
timeRun(process.execPath, mon, env);
const samples = commands.map(() => []);
for (let r = 0; r < rounds; r++) commands.forEach((c, i) => samples[i].push(timeRun(c.command, c.args, c.env, c.baseEnv)));
const runs = commands.map((c, i) => {
  const s = samples[i];
  const failed = s.find((x) => x.exitCode !== 0);
  const seconds = median(s.map((x) => x.seconds));
  const cpuSeconds = median(s.map((x) => x.cpuSeconds));
  return {
    name: c.name, seconds: round(seconds), best: round(Math.min(...s.map((x) => x.seconds))), mbPerSecond: round(mb / seconds), cpuSeconds: round(cpuSeconds),
    mbPerCpuSecond: round(mb / cpuSeconds), exitCode: failed ? failed.exitCode : 0, ...(failed ? { stderr: failed.stderr } : {}),
  };
});
const verdict = JSON.parse(execFileSync(process.execPath, mon, { env: { ...process.env, ...env }, maxBuffer: 1 << 28, encoding: "utf8" }));
const best = runs[0];
const cpus = (await import("node:os")).cpus();
const result = {
  title: "mon verify throughput",
  machine: `${availableParallelism()} × ${cpus[0]?.model ?? "cpu"}, Node ${process.version}, load average ${loadavg().map(round).join(" ")}`,
  method: `${round(mb)} MB HMAC-signed trail (${files.length} day files, ${entries} entries, generated in ${round(generateSeconds)} s); one warm-up run, then the commands in turn ${rounds} times; median run (fastest in its own column); timed without NODE_EXTRA_CA_CERTS unless the row says so; verdict: ${verdict.status}`,
  table: runs.map((r) => ({ command: r.name, seconds: r.seconds, "MB/s": r.mbPerSecond, "fastest s": r.best, "CPU s": r.cpuSeconds, "MB per CPU-second": r.mbPerCpuSecond, exit: r.exitCode })),
  targets: [{ name: "mon verify ≥ 350 MB/s (both cores)", value: `${best.mbPerSecond} MB/s (openssl dgst -sha256: ${runs.find((r) => r.name.startsWith("openssl"))?.mbPerSecond} MB/s)`, ok: best.exitCode === 0 && best.mbPerSecond >= 350 }],
};
process.stdout.write(`${JSON.stringify(result)}\n`);
if (values.keep) process.stderr.write(`kept the generated trail in ${dir}\n`);
else rmSync(dir, { recursive: true, force: true });
