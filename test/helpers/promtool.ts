import { execFileSync } from "node:child_process";

/**
 * Whether Debian's promtool is on PATH. Tests that need it skip locally when it is absent, but in
 * CI (CI=true) its absence is a failure: .ci/run installs it.
 */
export function promtoolAvailable(): boolean {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.CI === "true") {
      throw new Error("promtool is required in CI (CI=true) but was not found: .ci/run must install Debian's prometheus package");
    }
    return false;
  }
}
