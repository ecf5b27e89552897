// Runs the vitest suite and ends with one plain summary line ("N passed, N failed, N skipped"),
// the form CI reads; the exit code is vitest's own.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const resultsFile = join(tmpdir(), `monwire-vitest-${process.pid}.json`);
const vitest = join("node_modules", "vitest", "vitest.mjs");
const run = spawnSync(
  process.execPath,
  [vitest, "run", "--reporter=default", "--reporter=json", `--outputFile.json=${resultsFile}`, ...process.argv.slice(2)],
  { stdio: "inherit" },
);

let summary = "tests: no results were written";
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, "utf8"));
  const skipped = results.numPendingTests + results.numTodoTests;
  summary = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`;
  rmSync(resultsFile, { force: true });
}
process.stdout.write(`\n${summary}\n`);
process.exit(run.status ?? 1);
