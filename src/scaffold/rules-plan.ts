import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MonwireConfigInput } from "../config/schema.js";
import { parseSource } from "./ast.js";
import { findSessionStores, planSessions, type SessionsPlan, type SessionStoreWire } from "./detect-sessions.js";
import { actorFacts, productLiterals } from "./routes-facts.js";
import { scanRoutes } from "./routes-scan.js";
import { proposeActor, proposeRules, type RuleJson, type RuleProposal } from "./rules-propose.js";
import type { Manifest, ProjectInfo } from "./types.js";

/**
 * What init does with route rules: scan, propose, and merge into mon.config.json. The user's
 * config wins — a rule already in `events` is never touched, and a route an earlier run already
 * proposed (listed in the manifest) is not proposed again, so a rule the user deleted stays
 * deleted. Only routes that are new since the last run get proposals.
 */
export interface RulesPlan {
  /** Proposals for routes that are new since the last run (and not already in `events`). */
  proposals: RuleProposal[];
  /** Every route key found, recorded in the manifest for the next run. */
  routes: string[];
  /** `actor` section to add when the config has none. */
  actor?: RuleJson;
  /** Product names the code lists (proposal for `metrics.products`). */
  products: string[];
  /** Where active_user_sessions comes from; written when the config does not say yet. */
  sessions?: SessionsPlan;
  /**
   * The exported store found, on every run: the monitoring file reaches it whenever the config
   * says sessions.source "store", so a rerun renders the same file.
   */
  sessionStore?: SessionStoreWire;
}

/** mon.config.json as written, rule sections included. */
export type ConfigWithRules = MonwireConfigInput;

/** The user's choice: which proposals to take and the product list. */
export interface RulesChoice {
  accepted: string[];
  products: string[];
  /** Changed rules by key (the checklist's edits), replacing the proposal's. */
  changed?: Record<string, RuleJson>;
}

export function planRules(project: Pick<ProjectInfo, "root" | "entry">, previous: Manifest | undefined, existing: ConfigWithRules | undefined, tenantCount = 1): RulesPlan {
  const scan = scanRoutes(project.root, project.entry);
  const known = new Set([...(previous?.routes ?? []), ...Object.keys(existing?.events ?? {})]);
  const routes = [...new Set([...(previous?.routes ?? []), ...scan.routes.map((r) => `${r.method} ${r.path}`)])].sort();
  const parsed = scan.files.flatMap((file) => {
    try {
      return [{ file, program: parseSource(readFileSync(join(project.root, file), "utf8"), file) }];
    } catch {
      return [];
    }
  });
  const programs = parsed.map((p) => p.program);
  const foundSessions = planSessions(findSessionStores(parsed), tenantCount);
  const sessions = existing?.sessions?.source ? undefined : foundSessions;
  const actor = existing?.actor ? undefined : proposeActor(actorFacts(programs));
  return {
    proposals: proposeRules(scan.routes).filter((p) => !known.has(p.key)),
    routes,
    ...(actor ? { actor } : {}),
    products: existing?.metrics?.products?.length ? [] : productLiterals(programs),
    ...(sessions ? { sessions } : {}),
    ...(foundSessions.wire ? { sessionStore: foundSessions.wire } : {}),
  };
}

/** `--yes`, or no terminal: every proposal and the products found. */
export const takeAll = (plan: RulesPlan): RulesChoice => ({ accepted: plan.proposals.map((p) => p.key), products: plan.products });

/** The config with the accepted rules, the actor and the products added; existing values kept. */
export function mergeRules(config: ConfigWithRules, plan: RulesPlan, choice: RulesChoice): ConfigWithRules {
  const accepted = plan.proposals.filter((p) => choice.accepted.includes(p.key));
  const next: ConfigWithRules = { ...config };
  if (choice.products.length > 0 && !(config.metrics?.products?.length)) next.metrics = { ...config.metrics, products: choice.products };
  if (plan.actor && !config.actor && (accepted.length > 0 || Object.keys(config.events ?? {}).length > 0)) next.actor = plan.actor as ConfigWithRules["actor"];
  // Sessions matter once a login rule counts them; the source in use is then written down.
  const logins = accepted.some((p) => p.event === "login");
  const tenantField = plan.sessions?.wire?.tenantField;
  if (plan.sessions && logins && !config.sessions?.source) next.sessions = { ...config.sessions, source: plan.sessions.source, ...(tenantField && !config.sessions?.tenantField ? { tenantField } : {}) };
  if (accepted.length > 0) next.events = { ...config.events, ...Object.fromEntries(accepted.map((p) => [p.key, choice.changed?.[p.key] ?? p.rule])) };
  return next;
}
