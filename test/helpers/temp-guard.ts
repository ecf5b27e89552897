import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * vitest globalSetup: the whole run gets a temp directory of its own (TMPDIR, inherited by the
 * workers and every process a test starts), removed at the end whatever the tests left in it,
 * so a run leaves the machine's temp dir as it found it. What was left is named on stderr, so
 * the test that forgot to clean up can be found; MONWIRE_TEMP_CHECK=strict fails the run on it.
 */
export function setup(): () => void {
  const outer = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), "monwire-vitest-"));
  // Traversable like /tmp, so tests that drop privileges (setpriv to nobody) still reach their files.
  chmodSync(dir, 0o755);
  process.env.TMPDIR = dir;
  return () => {
    const left = readdirSync(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    if (outer === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outer;
    if (left.length === 0) return;
    const message = `temp-guard: tests left ${left.length} entr${left.length === 1 ? "y" : "ies"} in the run's temp dir (removed now): ${left.slice(0, 20).join(", ")}`;
    if (process.env.MONWIRE_TEMP_CHECK === "strict") throw new Error(message);
    process.stderr.write(`${message}\n`);
  };
}
