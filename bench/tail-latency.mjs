#!/usr/bin/env node
// Benchmark: `mon tail` latency from append to print. Appends chained entries to the day file
// at jittered intervals (half of them after a switch to the next day's file, which tail must
// discover by watching the directory) and times each line from just before the append syscall
// to its arrival on tail's stdout. Standalone: node bench/tail-latency.mjs [--count 400]
// [--interval 20]. Needs a built dist/. Prints one JSON document (bench/run.js renders it).
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { machine, percentile } from "./lib/util.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const { formatAuditLine } = await import(join(root, "dist/audit/chain.js"));
const { SyntheticTrail } = await import(join(root, "dist/audit/synthetic-trail.js"));
const { values } = parseArgs({ options: { count: { type: "string", default: "400" }, interval: { type: "string", default: "20" } } });
const count = Number(values.count);
const interval = Number(values.interval);
const dir = mkdtempSync(join(tmpdir(), "monwire-bench-tail-"));
// The one synthetic-trail generator (the tests' too); each entry is appended the moment it is made.
const writer = new SyntheticTrail().writer({ id: "benchtail001", chainStarted: false });

function append(day, time) {
  const entry = writer.record({ ts: `${day}T${time}.000Z`, tenant: "KM", actor: { id: "branch-7", role: "cashier", type: "user" }, amount: { minor: 1250, currency: "BAM" } });
  const sentAt = performance.now();
  appendFileSync(join(dir, `audit-${day}.log`), formatAuditLine(entry));
  return { seq: entry.seq, sentAt };
}

const clock = (i) => new Date(Date.UTC(2025, 0, 1, 0, 0, 0) + i * 1000).toISOString().slice(11, 19);
append("2025-01-04", "23:00:00");
const tail = spawn(process.execPath, [join(root, "bin/mon.js"), "tail", "--dir", dir, "--json", "-n", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const arrived = new Map();
createInterface({ input: tail.stdout }).on("line", (line) => arrived.set(JSON.parse(line).seq, performance.now()));

// Warm up: keep appending until tail prints, so its startup is not measured.
for (let i = 0; i < 200 && arrived.size === 0; i++) {
  append("2025-01-04", "23:00:01");
  await new Promise((r) => setTimeout(r, 50));
}
const sent = [];
for (let i = 0; i < count; i++) {
  const day = i < count / 2 ? "2025-01-04" : "2025-01-05";
  sent.push({ ...append(day, i < count / 2 ? `23:${clock(i).slice(3)}` : clock(i)), newFile: i === Math.ceil(count / 2) });
  await new Promise((r) => setTimeout(r, interval * (0.5 + Math.random())));
}
for (let i = 0; i < 100 && sent.some((s) => !arrived.has(s.seq)); i++) await new Promise((r) => setTimeout(r, 50));
tail.kill("SIGINT");
rmSync(dir, { recursive: true, force: true });

const latencies = sent.filter((s) => arrived.has(s.seq)).map((s) => arrived.get(s.seq) - s.sentAt);
const lost = sent.length - latencies.length;
const firstInNewFile = sent.find((s) => s.newFile);
const p = (q) => percentile(latencies, q).toFixed(1);
process.stdout.write(`${JSON.stringify({
  title: "mon tail: append → print latency",
  machine: machine(),
  method: `${count} entries appended (one write each) every ${interval} ms ± 50 %, half to the next day's new file; latency from before the append to the line on tail's stdout (fs.watch on the directory, 250 ms stat polling as fallback)`,
  table: [{ entries: sent.length, lost, "p50 ms": p(50), "p90 ms": p(90), "p99 ms": p(99), "max ms": Math.max(...latencies).toFixed(1), "first line of new day file ms": firstInNewFile && arrived.has(firstInNewFile.seq) ? (arrived.get(firstInNewFile.seq) - firstInNewFile.sentAt).toFixed(1) : "n/a" }],
  targets: [
    { name: "p99 append → print ≤ 250 ms", value: `${p(99)} ms`, ok: Number(p(99)) <= 250 },
    { name: "no entry lost", value: String(lost), ok: lost === 0 },
  ],
})}\n`);
