import { describe, expect, it } from "vitest";
// @ts-expect-error scripts/ are plain JavaScript without declarations.
import { ALLOWED_CI_SKIPS, unexpectedSkips } from "../../scripts/ci-skips.js";

// The shape of vitest's JSON reporter (node_modules/vitest: JsonReporter.onTestRunEnd).
const report = (tests: Array<{ fullName: string; status: string }>) => ({
  testResults: [{ name: "/repo/test/integration/e2e-prometheus.test.ts", assertionResults: tests }],
});

describe("skipped tests on CI", () => {
  it("names every skipped, pending or todo test the allowlist does not name", () => {
    const results = report([
      { fullName: "scrapes the shop", status: "passed" },
      { fullName: "alerts fire", status: "skipped" },
      { fullName: "later", status: "todo" },
      { fullName: "broken", status: "failed" },
    ]);
    expect(unexpectedSkips(results, "/repo")).toEqual(["test/integration/e2e-prometheus.test.ts > alerts fire", "test/integration/e2e-prometheus.test.ts > later"]);
  });

  it("lets through exactly the skips the allowlist names, by file and full name", () => {
    const results = report([{ fullName: "alerts fire", status: "skipped" }, { fullName: "alerts fire twice", status: "skipped" }]);
    const allowed = [{ file: "test/integration/e2e-prometheus.test.ts", test: "alerts fire", reason: "example" }];
    expect(unexpectedSkips(results, "/repo/", allowed)).toEqual(["test/integration/e2e-prometheus.test.ts > alerts fire twice"]);
  });

  it("gives every allowlisted skip a reason", () => {
    for (const entry of ALLOWED_CI_SKIPS as Array<{ reason?: string }>) expect(entry.reason?.length).toBeGreaterThan(10);
  });
});
