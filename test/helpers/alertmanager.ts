import { execFileSync } from "node:child_process";

/**
 * Debian's prometheus-alertmanager (`prometheus-alertmanager` server and `amtool`). Tests that
 * need it skip locally when it is absent but FAIL in CI (CI=true), where .ci/run installs it.
 */
export const ALERTMANAGER_BIN = "prometheus-alertmanager";

function runs(binary: string): boolean {
  try {
    execFileSync(binary, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function alertmanagerAvailable(): boolean {
  if (runs("amtool") && runs(ALERTMANAGER_BIN)) return true;
  if (process.env.CI === "true") {
    throw new Error("amtool and prometheus-alertmanager are required in CI (CI=true) but were not found: .ci/run must install Debian's prometheus-alertmanager package");
  }
  return false;
}
