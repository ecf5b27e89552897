#!/usr/bin/env node
// Launcher only: the CLI lives in dist/cli. `--version` is answered here so that the most
// common probe of an installed tool costs no module loading at all.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  // `mon verify` and `mon report` scan on every core for large trails: the scan workers boot while the CLI loads.
  if ((args[0] === "verify" || args[0] === "report") && !args.some((a) => a === "--jobs" || a.startsWith("--jobs=") || a === "--help" || a === "-h")) {
    const [{ availableParallelism }, { prestartScanWorkers }] = await Promise.all([import("node:os"), import("../dist/audit/scan-pool.js")]);
    prestartScanWorkers(availableParallelism() - 1);
  }
  const { main } = await import("../dist/cli/main.js");
  await main(process.argv);
}
