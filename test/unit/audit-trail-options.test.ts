import { describe, expect, it } from "vitest";
import { createAuditTrail } from "../../src/runtime/index.js";

// A wrong-shaped option is a clear E_OPTION_INVALID naming the option, never a TypeError from
// inside the writer (an array's `values` is a method, which used to crash building the tenant set).
describe("createAuditTrail options.tenants", () => {
  it.each([
    ["an array", ["EUR", "KM"]],
    ["values that is not an array", { values: "EUR" }],
    ["null", null],
  ])("rejects %s with E_OPTION_INVALID", (_name, tenants) => {
    expect(() => createAuditTrail({ dir: "logs", tenants: tenants as never })).toThrow(
      expect.objectContaining({ code: "E_OPTION_INVALID", message: expect.stringContaining("options.tenants must be an object") }),
    );
  });
});
