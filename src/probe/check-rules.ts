import { findUnmatchedRules, validateEventRules } from "../config/event-rules.js";
import { getProjectInfo } from "../scaffold/detect.js";
import { scanRoutes } from "../scaffold/routes-scan.js";
import type { CheckContext } from "./check-context.js";
import { skipped, statusOf, type CheckResult, type Finding } from "./findings.js";

/**
 * The route rules (`events` in mon.config.json) as the runtime will see them: each problem the
 * runtime's own validator finds, by its config path, and rules whose route the app never
 * registers (read with init's route scanner; the runtime cannot list an app's routes). A rule
 * with a problem is off at run time while the others record, so each one is named here.
 */
const ID = "audit.rules";
const TITLE = "route rules are valid and match the app's routes";

/** Route keys the app registers, or undefined when its entry cannot be found. */
function appRoutes(root: string): { keys: string[]; files: string[] } | undefined {
  try {
    const project = getProjectInfo(root);
    const scan = scanRoutes(project.root, project.entry);
    return { keys: scan.routes.map((r) => `${r.method} ${r.path}`), files: scan.files };
  } catch {
    return undefined;
  }
}

export function checkRules(ctx: CheckContext): CheckResult {
  const events = ctx.config.events ?? {};
  const count = Object.keys(events).length;
  if (count === 0) return skipped(ID, "audit", TITLE, 'no route rules in mon.config.json "events"', "requested", "mon init proposes rules from the app's routes; docs/tracking.md describes them.");
  const file = ctx.configFile ?? "mon.config.json";
  const { rules, problems } = validateEventRules(events);
  const findings: Finding[] = problems.map((p) => ({ rule: "monwire/event-rule", severity: "error", file, message: `${p.path}: ${p.message}`,
    hint: "Fix the rule in mon.config.json (docs/tracking.md lists the events and fields); until then it records nothing." }));
  const routes = appRoutes(ctx.root);
  // No routes found means the scanner could not read this app, not that every rule is wrong.
  if (routes && routes.keys.length > 0) {
    const where = `${routes.files[0]}${routes.files.length > 1 ? " and the files it imports" : ""}`;
    for (const key of findUnmatchedRules(rules, routes.keys)) {
      findings.push({ rule: "monwire/event-rule-route", severity: "error", file, message: `events[${JSON.stringify(key)}]: no route ${key} in the app (${where})`,
        hint: "Use the route template exactly as the metrics' route label shows it (mount prefixes included), e.g. POST /api/orders/:id." });
    }
  }
  const status = statusOf(findings);
  const summary = findings.length === 0
    ? `${count} route rule${count === 1 ? "" : "s"}, each valid${routes && routes.keys.length > 0 ? " and matching a route the app registers" : ""}`
    : `${findings.length} problem${findings.length === 1 ? "" : "s"} in the route rules: a rule with a problem is off, the others record`;
  return { id: ID, group: "audit", title: TITLE, status, summary, ...(findings[0]?.hint ? { hint: findings[0].hint } : {}), findings };
}
