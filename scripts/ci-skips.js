// Skipped tests on CI. A test may skip on a developer's machine (no promtool, not root), but CI
// installs everything, so a skip there means a test silently stopped running. Each entry below
// is a skip that is legitimate on CI, with its reason; anything else skipped with CI=true fails
// the run.
//
// Entries: { file: path relative to the repo (posix), test: the test's full name, reason }.
export const ALLOWED_CI_SKIPS = [];

/**
 * The skipped tests of a vitest JSON report that the allowlist does not name, as
 * "file > full test name" strings.
 */
export function unexpectedSkips(results, root, allowed = ALLOWED_CI_SKIPS) {
  const unexpected = [];
  for (const file of results.testResults ?? []) {
    const name = relativePosix(file.name, root);
    for (const test of file.assertionResults ?? []) {
      if (!["skipped", "pending", "todo"].includes(test.status)) continue;
      const permitted = allowed.some((a) => a.file === name && a.test === test.fullName);
      if (!permitted) unexpected.push(`${name} > ${test.fullName}`);
    }
  }
  return unexpected;
}

function relativePosix(path, root) {
  const normalized = path.split("\\").join("/");
  const prefix = `${root.split("\\").join("/").replace(/\/$/, "")}/`;
  return normalized.startsWith(prefix) ? normalized.slice(prefix.length) : normalized;
}
