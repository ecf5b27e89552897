// The benches' one driver-process protocol: a child prints "ready", then answers each
// "run N" line on stdin with one JSON line on stdout, and leaves on "quit". Variants run in
// processes of their own so their heaps and JIT state never mix.
import { spawn } from "node:child_process";

/**
 * Starts a driver process. `run(n)` resolves with the parsed JSON answer and rejects when the
 * driver reports an error or exits before answering.
 * @param {{ args: string[], env: NodeJS.ProcessEnv, name: string, bin?: string }} options  bin: the node binary (default: this one)
 */
export function startDriver({ args, env, name, bin = process.execPath }) {
  const child = spawn(bin, args, { env, stdio: ["pipe", "pipe", "inherit"] });
  child.stdout.setEncoding("utf8");
  let buffered = "";
  const waiting = [];
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  child.once("exit", (code) => {
    for (const resolve of waiting.splice(0)) resolve(JSON.stringify({ error: `driver exited with ${code}` }));
  });
  const nextLine = () => new Promise((resolve) => waiting.push(resolve));
  return {
    ready: nextLine(),
    async run(n) {
      const reply = nextLine();
      child.stdin.write(`run ${n}\n`);
      const doc = JSON.parse(await reply);
      if (doc.error) throw new Error(`${name}: ${doc.error}`);
      return doc;
    },
    stop: () => void child.stdin.write("quit\n"),
  };
}

/**
 * The driver's side of the protocol: prints "ready", then for each "run N" times `work(n)` in
 * CPU µs per unit and answers `{ micros, ...extra() }`; "quit" awaits `onQuit` and exits.
 * @param {(n: number) => Promise<void>} work
 * @param {{ extra?: () => object, onQuit?: () => Promise<void> }} [options]
 */
export function serveDriver(work, { extra = () => ({}), onQuit = async () => {} } = {}) {
  process.stdin.setEncoding("utf8");
  let pending = "";
  process.stdin.on("data", async (chunk) => {
    pending += chunk;
    for (let nl = pending.indexOf("\n"); nl !== -1; nl = pending.indexOf("\n")) {
      const [command, count] = pending.slice(0, nl).split(" ");
      pending = pending.slice(nl + 1);
      if (command === "quit") {
        await onQuit();
        process.exit(0);
      }
      const n = Number(count);
      const before = process.cpuUsage();
      await work(n);
      const used = process.cpuUsage(before);
      process.stdout.write(`${JSON.stringify({ micros: (used.user + used.system) / n, ...extra() })}\n`);
    }
  });
  process.stdout.write("ready\n");
}
