import { Option, type Command } from "../../vendor/commander.js";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

/** `mon init`: detect the host, ask or read answers, preview the plan, apply it atomically. */
export function registerInit(program: Command): Command {
  return program
    .command("init")
    .description("scaffold Sentry, Prometheus metrics and the audit trail into this Express app")
    .option("--entry <path>", "file that creates the Express app (default: detected)")
    .addOption(new Option("--pm <manager>", "package manager to install with").choices(["npm", "pnpm", "yarn", "bun"]))
    .addOption(new Option("--module <system>", "module system of generated files").choices(["esm", "cjs"]))
    .option("--tenants <ids>", "tenant ids, comma-separated (e.g. EUR,KM)")
    .option("--tenant-from <source>", "where the tenant comes from: header:x-shop, param:shop, query:shop or subdomain")
    .option("--currencies <map>", "tenant currencies, e.g. EUR=EUR,KM=BAM (default: inferred)")
    .option("--port <port>", "port the app listens on (default: detected)")
    .option("--metrics-path <path>", "scrape endpoint path (default /metrics)")
    .option("--audit-dir <dir>", "audit trail directory")
    .option("--retention-days <days>", "audit retention in days (default 2555)")
    .option("--no-sentry", "skip Sentry error tracking")
    .option("--no-metrics", "skip Prometheus metrics")
    .option("--no-audit", "skip the audit trail")
    .option("--no-user-ip", "do not send the client's IP address to Sentry (personal data; sent by default)")
    .option("--no-user-agent", "do not send the client's user agent to Sentry (personal data; sent by default)")
    .option("--profiling", "profile CPU with @sentry/profiling-node (adds the package)")
    .option("-y, --yes", "accept defaults for every unanswered question")
    .option("--dry-run", "show the plan and diffs; change nothing")
    .option("--force", "overwrite files you changed after monwire wrote them")
    .option("--skip-install", "do not run the package manager")
    .option("--monwire-from <path>", "depend on a local monwire checkout or tarball, by a path relative to the app (default from a git checkout: that checkout)")
    .option("--json", "print one JSON document with the plan and the result")
    .action(exitAction(async (raw: Record<string, unknown>, command: Command) => {
      const [{ runInit }, { parseInitFlags }, report, { initResultJson }] = await Promise.all([
        import("../../scaffold/init.js"), import("../../scaffold/flags.js"), import("../render-init.js"), import("../render-init-json.js"),
      ]);
      const output = createOutput({ color: command.optsWithGlobals().color !== false });
      const json = raw.json === true;
      const paint: import("../render-init.js").Paint = (kind, text) => {
        const c = output.color;
        const styles = { create: c.green, update: c.yellow, delete: c.red, skip: c.dim, conflict: c.red.bold, heading: c.bold, dim: c.dim, warn: c.yellow };
        return styles[kind](text);
      };
      const { overrides, flags } = parseInitFlags(raw, (name) => command.getOptionValueSource(name) === "cli");
      const interactive = Boolean(process.stdin.isTTY) && !process.env.CI && !json;
      const prompts = interactive ? await import("../prompts.js") : undefined;
      // From a git checkout the app depends on this build (a relative file: path), never on an unpublished registry range.
      const { localBuildSource } = await import("../../scaffold/local-build.js");
      let from = typeof raw.monwireFrom === "string" ? raw.monwireFrom : localBuildSource();
      if (from !== undefined && raw.monwireFrom === undefined && !json) {
        output.err(`mon init: monwire runs from a git checkout (${from}); the app will depend on this build through a relative file: path (--monwire-from chooses another)`);
      }
      // Installed from a tarball: that same build goes into the app, named by a relative path.
      const bundle = from === undefined ? await (await import("../../scaffold/local-build.js")).bundleRunningBuild(process.cwd()) : undefined;
      if (bundle) {
        from = bundle.from;
        if (!json) output.err(`mon init: monwire runs from a tarball install (${bundle.origin}); the app will depend on this same build, ${bundle.how}, as "file:${bundle.path}" (--monwire-from chooses another)`);
      }
      const result = await runInit(
        {
          cwd: process.cwd(), overrides, flags, interactive,
          yes: raw.yes === true, dryRun: raw.dryRun === true, force: raw.force === true, skipInstall: raw.skipInstall === true,
          ...(from !== undefined ? { monwireFrom: from } : {}),
          ...(bundle ? { bundle: { path: bundle.path, bytes: bundle.bytes } } : {}),
        },
        {
          detected: (project) => !json && output.out(report.formatDetection(project, paint)),
          ...(prompts ? { ask: prompts.askInitAnswers, confirmOverwrite: prompts.confirmOverwrite, confirmErrorMiddleware: prompts.confirmErrorMiddleware, chooseRules: prompts.chooseRules } : {}),
          // The last question needs the plan on screen too (stdout a terminal); without one, init
          // writes as it always has: it only adds, and `mon uninstall` takes it all back.
          ...(prompts && process.stdout.isTTY ? { confirmApply: (count: number) => prompts.confirmApply(count, true) } : {}),
          planned: (plan) => !json && output.out(`\n${report.formatPlan(plan.changes, { diffs: raw.dryRun === true ? "all" : "edits", paint })}\n`),
          installOutput: (chunk) => void process.stderr.write(chunk),
        },
      );
      if (json) output.out(JSON.stringify(initResultJson(result)));
      else output.out(report.formatInitSummary(result, paint));
      return result.exitCode;
    }));
}
