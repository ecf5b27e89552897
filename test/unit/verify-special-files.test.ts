import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyAuditDir } from "../../src/audit/verify.js";
import { SyntheticTrail } from "../../src/audit/synthetic-trail.js";
import { makeTempDir } from "../helpers/cli.js";

// The scan reads day files with blocking reads. A FIFO planted under a day file's name must
// neither hold the run (a blocked thread does not even see Ctrl-C) nor pass as an empty day: it
// is a finding, with or without a key.
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-verify-fifo-"));
});
afterEach(async () => cleanup());

describe("a FIFO in place of a day file", () => {
  for (const key of [undefined, "fifo-test-key"]) {
    it(`is reported as not a regular file, and the run ends (${key ? "signed" : "unsigned"})`, { timeout: 20_000 }, async () => {
      const trail = new SyntheticTrail({ key, start: "2025-03-10T08:00:00.000Z" });
      const writer = trail.writer();
      for (let i = 0; i < 5; i++) writer.record();
      await trail.write(dir);
      execFileSync("mkfifo", [join(dir, "audit-2025-03-11.log")]);
      const report = await verifyAuditDir({ dir, key, jobs: 1 });
      expect(report.status).toBe("tampered");
      const fifo = report.files.find((f) => f.name === "audit-2025-03-11.log");
      expect(fifo?.status).toBe("invalid");
      expect(fifo?.verdict).toMatch(/not a regular file/);
      expect(report.files.find((f) => f.name === "audit-2025-03-10.log")?.status).toBe("valid");
    });
  }
});
