import type { Command } from "commander";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

/**
 * `mon sentry sourcemaps inject <dir>`: adds Sentry debug ids to a build's JavaScript files and
 * their source maps (offline, idempotent), so `sentry-cli sourcemaps upload <dir>` can match
 * stack traces to the original TypeScript. `mon sentry release stamp <dir>`: writes the release
 * and commit being built next to the build output (see sourcemaps/release-stamp.ts). Exit 0; 2
 * when the directory does not exist or the release cannot be named.
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
  sentry
    .command("release")
    .description("release helpers")
    .command("stamp")
    .argument("<dir>", "build output directory (e.g. dist)")
    .description("write <dir>/sentry-release.json with the release and the commit being built (run after every build), so a deploy without .git still reports the commit")
    .option("--dry-run", "say what would be written; write nothing")
    .option("--json", "print one JSON document")
    .action(exitAction(async (dir: string, _flags, command: Command) => {
      const flags = command.optsWithGlobals();
      const output = createOutput({ color: flags.color !== false });
      const { stampRelease } = await import("../../sourcemaps/release-stamp.js");
      const result = await stampRelease({ dir, cwd: process.cwd(), env: process.env, dryRun: Boolean(flags.dryRun) });
      if (flags.json) {
        output.out(JSON.stringify(result));
        return 0;
      }
      const verb = result.status === "unchanged" ? "unchanged" : flags.dryRun ? "would stamp" : "stamped";
      output.out(`${verb} release ${result.release} (${result.file})`);
      if (!result.commit) output.out("no commit known at build time (no git checkout, no CI commit variable such as GITHUB_SHA): the release names the version only");
      return 0;
    }));
  return sentry;
}
