import type { Command } from "commander";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

/**
 * `mon sentry sourcemaps inject <dir>`: adds Sentry debug ids to a build's JavaScript files and
 * their source maps (offline, idempotent), so `sentry-cli sourcemaps upload <dir>` can match
 * stack traces to the original TypeScript. Exit 0; 2 when the directory does not exist.
 */
export function registerSentry(program: Command): Command {
  const sentry = program.command("sentry").description("Sentry build helpers");
  sentry
    .command("sourcemaps")
    .description("source map helpers")
    .command("inject")
    .argument("<dir>", "build output directory (e.g. dist)")
    .description("add debug ids to built .js files and their .map files (run after every build, before uploading)")
    .option("--dry-run", "list what would change; write nothing")
    .option("--json", "print one JSON document")
    .action(exitAction(async (dir: string, _flags, command: Command) => {
      const flags = command.optsWithGlobals();
      const output = createOutput({ color: flags.color !== false });
      const { injectDebugIds } = await import("../../sourcemaps/inject.js");
      const results = await injectDebugIds({ dir, cwd: process.cwd(), dryRun: Boolean(flags.dryRun) });
      if (flags.json) {
        output.out(JSON.stringify({ files: results }));
        return;
      }
      if (results.length === 0) output.out(`no .js file with a source map under ${dir}: build with source maps first (esbuild --sourcemap, tsc "sourceMap": true)`);
      for (const r of results) output.out(`${r.status === "injected" ? (flags.dryRun ? "would inject" : "injected") : "unchanged"} ${r.debugId} ${r.file} (${r.map})`);
    }));
  return sentry;
}
