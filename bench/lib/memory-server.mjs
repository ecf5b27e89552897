// The benchmark app (app.mjs) behind Node's real HTTP server, fed over in-memory connections
// instead of sockets: the same parser, Express and middleware code, without the kernel's
// networking or a load generator competing for the CPU. Driven over stdin/stdout:
//   "run N"  → handles N requests, prints {"micros": CPU µs per request}
//   "quit"   → exits
// With BENCH_COUNT=N it instead handles BENCH_WARM requests, switches callgrind's instrumentation
// on (callgrind_control), handles N more and exits: under `valgrind --tool=callgrind
// --instr-atstart=no` that counts the instructions of exactly those N requests.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { Duplex } from "node:stream";
import { serveDriver } from "./driver.mjs";

// BENCH_APP names another app module with the same exports (bench/sentry.mjs uses sentry-app.mjs);
// BENCH_STATUS the status every response must have (500 for an error route).
const { buildApp, REQUESTS } = await import(process.env.BENCH_APP ?? "./app.mjs");
const EXPECTED_STATUS = process.env.BENCH_STATUS ?? "200";
const server = createServer(await buildApp(process.env.BENCH_VARIANT ?? "bare"));
const raw = REQUESTS.map((r) => `${r.method} ${r.path} HTTP/1.1\r\nHost: bench\r\n${Object.entries(r.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
const CONNECTIONS = 10;
/** Requests each connection keeps in flight (HTTP/1.1 pipelining), like a keep-alive load generator. */
const DEPTH = 4;

/** One client connection: what the server writes is scanned for status lines; nothing else is kept. */
class MemoryConnection extends Duplex {
  constructor(onStatus) {
    super();
    this.onStatus = onStatus;
    this.remoteAddress = "127.0.0.1";
    this.remotePort = 40000;
  }
  _read() {}
  _write(chunk, _encoding, callback) {
    const text = chunk.toString("latin1");
    for (let at = text.indexOf("HTTP/1.1 "); at !== -1; at = text.indexOf("HTTP/1.1 ", at + 1)) this.onStatus(text.slice(at + 9, at + 12));
    callback();
  }
  setTimeout() {
    return this;
  }
  setNoDelay() {
    return this;
  }
  setKeepAlive() {
    return this;
  }
}

/** Handles `total` requests over fresh connections; rejects on any status but the expected one. */
function handle(total) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const connections = [];
    for (let c = 0; c < CONNECTIONS; c++) {
      const connection = new MemoryConnection((status) => {
        if (status !== EXPECTED_STATUS) return reject(new Error(`status ${status}`));
        done += 1;
        if (done === total) {
          for (const open of connections) open.push(null);
          resolve();
        } else if (sent < total) connection.push(raw[sent++ % raw.length]);
      });
      connections.push(connection);
      server.emit("connection", connection);
      for (let d = 0; d < DEPTH && sent < total; d++) connection.push(raw[sent++ % raw.length]);
    }
  });
}

if (process.env.BENCH_COUNT) {
  await handle(Number(process.env.BENCH_WARM ?? 4000));
  await new Promise((resolve, reject) => spawn("callgrind_control", ["-i", "on", String(process.pid)], { stdio: "ignore" }).on("exit", resolve).on("error", reject));
  await handle(Number(process.env.BENCH_COUNT));
  process.exit(0);
}

await handle(Number(process.env.BENCH_WARMUP ?? 20_000)); // warm the JIT
serveDriver(handle, { extra: () => ({ envelopes: globalThis.__benchEnvelopes ?? 0 }) });
