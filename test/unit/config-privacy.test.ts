import { describe, expect, it } from "vitest";
import { collectConfigIssues, resolveConfig } from "../../src/config/validate.js";

describe("audit.fileMode / audit.dirMode and sentry.pii", () => {
  it("default to 0640, 0750 and no personal data", () => {
    const config = resolveConfig({});
    expect(config.audit).toMatchObject({ fileMode: "0640", dirMode: "0750" });
    expect(config.sentry.pii).toBe("none");
  });

  it.each([
    [{ audit: { fileMode: "0600", dirMode: "0700" } }, []],
    [{ audit: { fileMode: "640", dirMode: "750" } }, []],
    [{ audit: { fileMode: "644" } }, ['audit.fileMode: expected no group write and no permissions for others (e.g. "0640")']],
    [{ sentry: { pii: "ip" } }, []],
    [{ sentry: { pii: "ip+email" } }, []],
    [{ audit: { fileMode: 416 } }, ['audit.fileMode: expected an octal permission string like "0640"']],
    [{ audit: { fileMode: "0666" } }, ['audit.fileMode: expected no group write and no permissions for others (e.g. "0640")']],
    [{ audit: { fileMode: "0440" } }, ['audit.fileMode: expected the owner to keep read and write (e.g. "0640")']],
    [{ audit: { dirMode: "0640" } }, ['audit.dirMode: expected the owner to keep read, write and search (e.g. "0750")']],
    [{ audit: { dirMode: "0777" } }, ['audit.dirMode: expected no group write and no permissions for others (e.g. "0750")']],
    [{ audit: { dirMode: "0789" } }, ['audit.dirMode: expected an octal permission string like "0750"']],
    [{ sentry: { pii: "all" } }, ['sentry.pii: expected one of "none", "ip", "email", "ip+email"']],
  ])("%j → %j", (input, expected) => {
    expect(collectConfigIssues(input).map((i) => `${i.path}: ${i.message}`)).toEqual(expected);
  });
});
