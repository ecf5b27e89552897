import { spawnSync } from "node:child_process";

/**
 * Uncommitted changes in the project's git work tree, so init can warn that its changes will be
 * mixed with the user's. Undefined outside a repository or without git.
 */
export function gitDirtyFiles(root: string): string[] | undefined {
  const result = spawnSync("git", ["status", "--porcelain", "--untracked-files=no", "--", "."], { cwd: root, encoding: "utf8" });
  if (result.status !== 0 || result.error) return undefined;
  return result.stdout.split("\n").filter((line) => line.trim() !== "").map((line) => line.slice(3));
}
