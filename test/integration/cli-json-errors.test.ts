import { describe, expect, it } from "vitest";
import { makeTempDir, runMon } from "../helpers/cli.js";

/**
 * A script that asked for JSON gets JSON, also when the command line is wrong: one error document
 * on stdout (the human message stays on stderr), with the documented exit code 2.
 */
describe("usage errors honour --json", () => {
  it.each([
    [["check", "--json", "--timeout", "abc"], "E_USAGE", "--timeout"],
    [["check", "--format", "json", "--only", "nope"], "E_USAGE", "--only"],
    [["report", "--json", "--day", "someday"], "E_OPTION_INVALID", "someday"],
    [["check", "--json", "--bogus"], "E_USAGE", "--bogus"],
    [["verify", "--json", "--from"], "E_USAGE", "--from"],
  ])("mon %j prints one JSON error document", async (args, code, mentions) => {
    const temp = await makeTempDir("monwire-json-error-");
    try {
      const result = await runMon(args, { cwd: temp.dir });
      expect(result.exitCode).toBe(2);
      const doc = JSON.parse(String(result.stdout));
      expect(doc).toMatchObject({ tool: "monwire", ok: false, error: { code, exitCode: 2 } });
      expect(doc.error.message).toContain(mentions);
      expect(String(result.stderr)).toContain(mentions);
    } finally {
      await temp.cleanup();
    }
  });

  it("keeps plain text without --json", async () => {
    const result = await runMon(["check", "--timeout", "abc"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stdout)).toBe("");
    expect(String(result.stderr)).toContain("--timeout");
  });
});
