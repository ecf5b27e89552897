// Runs the vitest suite and ends with one plain summary line ("N passed, N failed, N skipped"),
// the form CI reads. The exit code is vitest's own, except that with CI=true a skipped test the
// allowlist in ci-skips.js does not name fails the run: CI has every tool, so a skip there means
// a test stopped running without anyone deciding so.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unexpectedSkips } from "./ci-skips.js";

const resultsFile = join(tmpdir(), `monwire-vitest-${process.pid}.json`);
const vitest = join("node_modules", "vitest", "vitest.mjs");
const run = spawnSync(
  process.execPath,
  [vitest, "run", "--reporter=default", "--reporter=json", `--outputFile.json=${resultsFile}`, ...process.argv.slice(2)],
  { stdio: "inherit" },
);

let summary = "tests: no results were written";
let status = run.status ?? 1;
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, "utf8"));
  const skipped = results.numPendingTests + results.numTodoTests;
  summary = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`;
  rmSync(resultsFile, { force: true });
  const unexpected = process.env.CI === "true" ? unexpectedSkips(results, process.cwd()) : [];
  if (unexpected.length > 0) {
    process.stdout.write(`\ntests: ${unexpected.length} skipped with CI=true, which scripts/ci-skips.js does not allow (install what they need, or add them there with the reason):\n`);
    for (const name of unexpected) process.stdout.write(`  skipped: ${name}\n`);
    if (status === 0) status = 1;
  }
}
process.stdout.write(`\n${summary}\n`);
process.exit(status);
