import type { ChalkInstance } from "chalk";
import { once } from "node:events";
import type { AuditEntry } from "../audit/entry.js";
import type { TailItem } from "../audit/follow-session.js";
import { formatMoney } from "../audit/money.js";
import { escapeTerminal } from "../terminal-safe.js";
import type { Output } from "./output.js";
import { createTenantLabel, type TenantLabel } from "./render-tenant.js";

/**
 * One readable line per audit entry for `mon tail`:
 *   2025-01-04 10:15:02.123  EUR  alice (branch_admin)  wallet.deposit  €12.50  ✓
 * Times stay UTC, the zone the trail is written in. Colour comes from the Output's chalk, which is
 * already off when stdout is not a TTY or NO_COLOR/--no-color is set. Every value from the trail
 * is escaped (terminal-safe.ts) and a tenant that is not configured is shown as `raw:"…"`.
 */
const OUTCOME_MARK = { success: "✓", failure: "✗", unknown: "?" } as const;
const NEWLINE = Buffer.from("\n");

export interface TailLineOptions {
  color: ChalkInstance;
  locale?: string;
  /** Shows a tenant value; default: escaped and capped, nothing marked raw. */
  tenant?: TenantLabel;
}

const plainTenant = createTenantLabel(undefined);

export function formatTailLine(entry: AuditEntry, options: TailLineOptions): string {
  const c = options.color;
  const e = escapeTerminal;
  const time = e(`${entry.ts.slice(0, 10)} ${entry.ts.slice(11, 23)}`);
  const actor = entry.actor.role ? `${e(entry.actor.id)} (${e(entry.actor.role)})` : e(entry.actor.id);
  const mark = OUTCOME_MARK[entry.outcome] ?? "?";
  const coloredMark = entry.outcome === "success" ? c.green(mark) : entry.outcome === "failure" ? c.red(mark) : c.yellow(mark);
  const parts = [
    c.dim(time),
    c.cyan((options.tenant ?? plainTenant)(entry.tenant).padEnd(5)),
    actor.padEnd(22),
    c.bold(e(entry.action).padEnd(24)),
  ];
  if (entry.amount) parts.push(e(formatMoney(entry.amount.minor, entry.amount.currency, options.locale)).padStart(14));
  parts.push(coloredMark);
  const details = [
    entry.target ? e(`${entry.target.type}:${entry.target.id}`) : undefined,
    entry.ip ? `ip=${e(entry.ip)}` : undefined,
    entry.reason ? `reason=${e(JSON.stringify(entry.reason))}` : undefined,
  ].filter((d): d is string => d !== undefined);
  if (details.length > 0) parts.push(c.dim(details.join(" ")));
  return parts.join("  ");
}

/** A chain break found by `--verify`, for stderr. */
export function formatChainBreak(problem: { file: string; line?: number; message: string }, color: ChalkInstance): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return color.red(`✗ chain break at ${escapeTerminal(where)}: ${escapeTerminal(problem.message)}`);
}

/**
 * Writes tail items as they come. Output is batched per read (flushed at the end of each batch
 * the follower read, or when 64 KiB pile up during history) and each flush waits for 'drain' when the pipe is full, so a slow
 * reader slows the follower down instead of growing memory or losing lines. A reader that goes
 * away (EPIPE, `| head -3`) ends the process quietly through the handler in output.ts.
 */
export async function writeTail(
  items: AsyncIterable<TailItem>,
  output: Output,
  options: { json: boolean; keyEnv: string; locale?: string; tenants?: readonly string[] },
): Promise<{ breaks: number; keyRequired: boolean; unreadable: number }> {
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let breaks = 0;
  let keyRequired = false;
  let unreadable = 0;
  const tenant = createTenantLabel(options.tenants);
  const safe = escapeTerminal;
  const flush = async () => {
    if (pending.length === 0) return;
    const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    pending.length = 0;
    pendingBytes = 0;
    if (!process.stdout.write(data)) await once(process.stdout, "drain");
  };
  for await (const item of items) {
    switch (item.type) {
      case "entry": {
        const text = options.json ? Buffer.concat([item.bytes, NEWLINE]) : Buffer.from(`${item.host ? `[${safe(item.host)}] ` : ""}${formatTailLine(item.entry, { color: output.color, locale: options.locale, tenant })}\n`);
        pending.push(text);
        pendingBytes += text.length;
        if (pendingBytes >= 64 * 1024) await flush();
        break;
      }
      case "chain":
        breaks += item.issue.severity === "tamper" ? 1 : 0;
        await flush();
        output.err(item.issue.severity === "tamper" ? formatChainBreak({ file: item.file, line: item.issue.line, message: item.issue.message }, output.color) : safe(`! ${item.file}: ${item.issue.message}`));
        break;
      case "problem":
        unreadable += item.unreadable ? 1 : 0;
        await flush();
        output.err(safe(`! ${item.line === undefined ? item.file : `${item.file}:${item.line}`}: ${item.message}`));
        break;
      case "key-required":
        keyRequired = true;
        output.err(`mon: writer ${escapeTerminal(item.writer)} signs its entries with HMAC; set ${options.keyEnv} to verify them`);
        break;
      case "notice":
        await flush();
        if (!options.json || output.stderrIsTTY) output.err(output.color.dim(`==> ${safe(item.message)} <==`));
        break;
      case "batch":
      case "idle":
        await flush();
        break;
    }
  }
  await flush();
  return { breaks, keyRequired, unreadable };
}
