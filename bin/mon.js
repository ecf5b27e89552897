#!/usr/bin/env node
// Launcher only: the CLI lives in dist/cli. `--version` is answered here so that the most
// common probe of an installed tool costs no module loading at all.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { main } = await import("../dist/cli/main.js");
  await main(process.argv);
}
