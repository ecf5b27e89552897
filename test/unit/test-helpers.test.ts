import { describe, expect, it } from "vitest";
import { runMonEnv } from "../helpers/cli.js";

describe("the CLI test helper", () => {
  it("puts the caller's env on top of the base env instead of dropping CI and NO_COLOR", () => {
    expect(runMonEnv({ MONWIRE_AUDIT_KEY: "k" })).toEqual({ CI: "true", FORCE_COLOR: "0", NO_COLOR: "1", MONWIRE_AUDIT_KEY: "k" });
    expect(runMonEnv({ CI: "" })).toMatchObject({ CI: "", NO_COLOR: "1" });
  });
});
