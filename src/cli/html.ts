import { formatCount, plural } from "../human-format.js";
import { escapeTerminal } from "../terminal-safe.js";

export { formatCount, plural };

/**
 * Building blocks of the HTML report. Every string from the trail is attacker-chosen: it is made
 * visible-safe first (control and bidi characters shown as `\x1b`, `\u202e`, like the terminal
 * output), then HTML-escaped, so a tenant named `<img src=x onerror=…>` is text, never markup.
 */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return escapeTerminal(text).replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/**
 * JSON for a `<script type="application/json">` island: exact (not terminal-escaped, the same
 * document `--format json` prints), with `<` written as `\u003c` so `</script>` inside a value
 * cannot end the element, and U+2028/2029 escaped for older parsers.
 */
export function jsonIsland(id: string, value: unknown): string {
  const json = JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  return `<script type="application/json" id="${id}">${json}</script>`;
}

/** Numbers read by people: grouped the same way in every report, whatever the host's locale. */
export const HTML_LOCALE = "en-US";

/**
 * A number shown to people that also says where it comes from: `data-k` is its path in the JSON
 * report (`summary.financial[0].deposit.amountMinor`) and `data-v` the exact value, so a test or
 * a script can check every visible figure against `mon report --format json`.
 */
export function numberCell(path: string, value: number, text = formatCount(value), tag = "td"): string {
  return `<${tag} class="n" data-k="${escapeHtml(path)}" data-v="${value}">${escapeHtml(text)}</${tag}>`;
}

/** A table with a header row; cells are already HTML (escaped by the caller). Columns from `numericFrom` on are figures, right-aligned. */
export function htmlTable(head: string[], rows: string[][], numericFrom = head.length): string {
  const th = head.map((h, i) => `<th${i >= numericFrom ? ' class="n"' : ""}>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((cells) => `<tr>${cells.join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function textCell(text: string, className = ""): string {
  return `<td${className ? ` class="${className}"` : ""}>${escapeHtml(text)}</td>`;
}
