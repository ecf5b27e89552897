import type { Command } from "commander";
import { EXIT, MonwireError } from "../../errors.js";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

/**
 * `mon demo`: the whole product on a bundled sample shop — traffic, then `mon check`, `mon report`,
 * `mon verify`, the Sentry events and where everything lives. Progress goes to stderr. Exit 0
 * when everything checked out, 1 when a check failed, the trail did not verify or a secret leaked;
 * with --keep-running the shop stays up until Ctrl-C (exit 130).
 */
function parseDuration(value: string | undefined): number {
  if (value === undefined) return 10_000;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds < 1 || seconds > 60) {
    throw new MonwireError("E_OPTION_INVALID", `--duration ${JSON.stringify(value)} is not a number of seconds from 1 to 60`, { hint: "Pass e.g. --duration 10 (the default)." });
  }
  return Math.round(seconds * 1000);
}

/** Resolves on Ctrl-C or SIGTERM; the entry's immediate exit on SIGINT is replaced so the demo can stop its processes first. */
function untilInterrupted(): Promise<void> {
  process.removeAllListeners("SIGINT");
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

export function registerDemo(program: Command): Command {
  return program
    .command("demo")
    .description("run everything on a bundled sample shop: traffic, then check, report, verify and Sentry events")
    .option("--dir <dir>", "create the demo shop here (new or empty; default: a temporary directory)")
    .option("--keep-running", "leave the shop (and Prometheus) running and print URLs to curl; Ctrl-C stops them")
    .option("--keep", "keep the temporary demo directory afterwards (default: removed; a --dir is always kept)")
    .option("--prometheus", "also run a real Prometheus (Debian's prometheus package) scraping the shop")
    .option("--duration <seconds>", "how long to drive traffic (default 10, at most 60)")
    .option("--json", "print one JSON document with everything the demo found")
    .action(exitAction(async (_flags, command: Command) => {
      const flags = command.optsWithGlobals();
      const output = createOutput(flags);
      const durationMs = parseDuration(flags.duration);
      const { runDemo } = await import("../../demo/run-demo.js");
      const { renderReportHtml } = await import("../render-report-html.js");
      const session = await runDemo({
        ...(flags.dir ? { dir: String(flags.dir) } : {}),
        durationMs,
        keepRunning: Boolean(flags.keepRunning),
        keep: Boolean(flags.keep),
        prometheus: Boolean(flags.prometheus),
        env: process.env,
        onProgress: (line) => output.note(output.color.dim(`demo: ${line}`)),
        renderReportHtml: (report) => renderReportHtml(report),
      });
      const { result } = session;
      if (flags.json) {
        output.out(JSON.stringify(result));
      } else {
        const { renderDemo } = await import("../render-demo.js");
        output.out(renderDemo(result, output.color));
      }
      const leaked = result.leaks.auditLines + result.leaks.sentryEnvelopes > 0;
      const failed = result.checkFailed || result.verify.status !== "intact" || leaked;
      if (!result.running) {
        return failed ? EXIT.findings : EXIT.ok;
      }
      output.err(output.color.dim(`demo: running until Ctrl-C (shop pid ${result.shop.pid})`));
      await untilInterrupted();
      output.err(output.color.dim("demo: stopping…"));
      await session.stop();
      return EXIT.interrupted;
    }));
}
