import type { Command } from "commander";
import { MonwireError } from "../../errors.js";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

// No declared default, so --help does not print "(default: [])"; commander passes undefined first.
const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter((v) => v.length > 0)];
// Patterns may hold commas (a regex like /x{1,3}/), so they are never split.
const append = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `mon tail`: follows the audit trail like `tail -F`, across the midnight switch to a new day file
 * and across truncation. Filters AND together; a repeated flag ORs its values. Exit 0, or 1 when
 * --verify found a chain break or a day file could not be read; Ctrl-C exits 130 (handled at the entry).
 */
export function registerTail(program: Command): Command {
  return program
    .command("tail")
    .description("follow the audit trail live (like tail -F), with filters")
    .option("--dir <dir>", "audit directory (default: audit.dir in mon.config.json); repeat for several hosts, or pass a directory of host subdirectories", append)
    .option("--config <path>", "mon.config.json to use (default: searched upward from cwd)")
    .option("-n, --lines <n>", "matching entries of history to show first (default 10; all with --since)")
    .option("--category <name>", "category or alias (auth, finance, user, licence, system); repeatable", collect)
    .option("--tenant <id>", "tenant id; repeatable", collect)
    .option("--outcome <outcome>", "success, failure or unknown; repeatable", collect)
    .option("--actor <id>", "actor id, * and ? wildcards allowed; repeatable", collect)
    .option("--action <pattern>", "action, prefix (wallet), glob (*.failed) or /regex/; repeatable", append)
    .option("--grep <text>", "substring or /regex/ matched on the raw line; repeatable", append)
    .option("--since <time>", "from this time: ISO, 15m, 2h, 3d, today, yesterday")
    .option("--until <time>", "up to this time (a day means its end); following stops there")
    .option("--no-follow", "print the history and exit")
    .option("--json", "print the original lines (NDJSON), byte for byte")
    .option("--verify", "check the hash chain as entries go by; a break is flagged and exits 1")
    .action(exitAction(async (_flags, command: Command) => {
      const flags = command.optsWithGlobals();
      const output = createOutput(flags);
      const { parseTimeSpec } = await import("../../audit/time-range.js");
      const { resolveAuditSettings } = await import("../../audit/settings.js");
      const { assertAuditDir } = await import("../../audit/files.js");
      const { tailAudit } = await import("../../audit/follow-session.js");
      const { writeTail } = await import("../render-tail.js");
      const now = new Date();
      const time = (value: string | undefined, edge: "start" | "end", flag: string) =>
        value === undefined ? undefined : parseTimeSpec(value, { now, edge, flag });
      const dirs: Array<string | undefined> = flags.dir ?? [undefined];
      const settings = resolveAuditSettings({ cwd: process.cwd(), configPath: flags.config, dir: dirs[0] });
      const allDirs = dirs.map((dir, i) => (i === 0 ? settings.dir : resolveAuditSettings({ cwd: process.cwd(), configPath: flags.config, dir }).dir));
      for (const dir of allDirs) assertAuditDir(dir);
      const { resolveHostDirs } = await import("../../audit/verify-hosts.js");
      const { hosts, parentOfHosts } = await resolveHostDirs(allDirs);
      const { unknownTenantWarning } = await import("../render-tenant.js");
      // Only the configured list can be checked up front: tail cannot know which tenants will appear.
      const tenantWarning = settings.tenants?.length ? unknownTenantWarning(flags.tenant ?? [], settings.tenants) : undefined;
      if (tenantWarning) output.err(output.color.yellow(`mon tail: ${tenantWarning}; showing only entries that carry it`));
      const follow = flags.follow !== false;
      // The reader of a pipe going away ends following quietly (exit 0), as with EPIPE.
      const reader = new AbortController();
      const { watchStdoutReader } = await import("../render-tail-pipe.js");
      const unwatch = follow ? watchStdoutReader(() => reader.abort()) : () => undefined;
      const tailOptions = {
        count: parseCount(flags.lines),
        filters: {
          category: flags.category, tenant: flags.tenant, outcome: flags.outcome, actor: flags.actor, action: flags.action,
          since: time(flags.since, "start", "--since"), until: time(flags.until, "end", "--until"),
        },
        grep: flags.grep,
        follow,
        verify: flags.verify ? { key: settings.key } : undefined,
        signal: reader.signal,
      };
      const { tailHosts } = await import("../../audit/tail-hosts.js");
      const items = hosts.length > 1 || parentOfHosts ? tailHosts(hosts, tailOptions) : tailAudit({ ...tailOptions, dir: settings.dir });
      const result = await writeTail(items, output, { json: Boolean(flags.json), keyEnv: settings.keyEnv, tenants: settings.tenants }).finally(unwatch);
      if (reader.signal.aborted) return 0;
      if (result.keyRequired) return 2;
      if (result.breaks > 0) {
        output.err(output.color.red(`mon tail: ${result.breaks} chain break${result.breaks === 1 ? "" : "s"} found`));
        return 1;
      }
      if (result.unreadable > 0) {
        output.err(output.color.red(`mon tail: ${result.unreadable} day file${result.unreadable === 1 ? "" : "s"} could not be read; what they hold was not shown`));
        return 1;
      }
      return 0;
    }));
}

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new MonwireError("E_OPTION_INVALID", `-n ${JSON.stringify(value)} is not a number of lines`, { hint: "Pass a whole number, e.g. -n 50 (or -n 0 for none)." });
  }
  return Number(value);
}
