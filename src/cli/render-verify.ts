import type { ChalkInstance } from "chalk";
import type { VerdictStyle } from "../audit/verify-format.js";

/** Verdict colours of `mon verify` (plain when colour is off). */
export function paintVerdicts(color: ChalkInstance): VerdictStyle {
  const paint = { valid: color.green, torn: color.yellow, invalid: color.red.bold, missing: color.red.bold };
  return (status, text) => paint[status](text);
}
