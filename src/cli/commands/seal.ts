import type { Command } from "commander";
import { withAuditLocation } from "../audit-options.js";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

/**
 * `mon seal`: writes the anchors of closed UTC days that have none yet (days without events too:
 * their anchor proves the absence). Today and future days are refused with exit 2.
 */
export function registerSeal(program: Command): Command {
  return withAuditLocation(program
    .command("seal")
    .description("seal closed UTC days of the audit trail with anchors (default: through yesterday)")
    .option("--through <day>", "last UTC day to seal (YYYY-MM-DD, before today)")
    .option("--witness <file>", "also write the trail's head (newest anchor, every writer's last seq and hash) to FILE, kept where the app cannot rewrite it")
    .option("--json", "print one JSON document"))
    .action(exitAction(async (_flags, command: Command) => {
      const flags = command.optsWithGlobals();
      const output = createOutput(flags);
      const { resolveAuditSettings } = await import("../../audit/settings.js");
      const { sealAuditDir } = await import("../../audit/seal.js");
      const settings = resolveAuditSettings({ cwd: process.cwd(), configPath: flags.config, dir: flags.dir });
      const result = await sealAuditDir({ dir: settings.dir, through: flags.through, key: settings.key, keyEnv: settings.keyEnv, graceSeconds: settings.sealGraceSeconds });
      const witness = flags.witness ? await (await import("../../audit/witness.js")).recordWitness(settings.dir, flags.witness, settings.key) : undefined;
      if (flags.json) {
        output.out(JSON.stringify({ dir: settings.dir, ...result, ...(witness ? { witness } : {}) }));
        return;
      }
      const { renderSealed } = await import("../render-seal.js");
      const { plural } = await import("../../human-format.js");
      if (!output.quiet) for (const line of renderSealed(result.sealed, { verbose: output.verbose })) output.out(line);
      const already = result.previouslySealedThrough ? ` (already sealed through ${result.previouslySealedThrough})` : "";
      if (witness) output.out(`witness written to ${flags.witness}: ${plural(witness.writers.length, "writer")}, newest anchor ${witness.last_anchor?.day ?? "none"}`);
      output.out(result.sealed.length === 0 ? `nothing to seal through ${result.through}${already}` : `${plural(result.sealed.length, "day")} sealed through ${result.through}`);
    }));
}
