import type { MonwireConfig } from "../config/schema.js";
import { CATALOG, PRODUCT_OTHER, TENANT_NONE, TENANT_UNKNOWN, type MetricDefinition } from "../metrics/catalog.js";
import type { MetricFamily } from "./exposition.js";
import type { Finding } from "./findings.js";

/**
 * Compares what the app exposes with monwire's metric catalog and the project's config: every
 * catalog family present with its type and exactly its labels, and every label value inside its
 * bounded set (tenants from mon.config.json plus `unknown`/`none`, the catalog's closed sets).
 * `database_up` is required only when mon.config.json says the app has a database probe.
 */
const MAX_VALUES_SHOWN = 5;
const DATABASE_UP = "database_up";

const showValues = (values: Iterable<string>) => {
  const list = [...values];
  const shown = list.slice(0, MAX_VALUES_SHOWN).map((v) => JSON.stringify(v)).join(", ");
  return list.length > MAX_VALUES_SHOWN ? `${shown} and ${list.length - MAX_VALUES_SHOWN} more` : shown;
};

/** The bounded value set of each label of a definition, config included. */
export function allowedValues(def: MetricDefinition, config: MonwireConfig): Map<string, ReadonlySet<string>> {
  const sets = new Map<string, ReadonlySet<string>>();
  for (const [label, values] of Object.entries(def.allowed ?? {})) sets.set(label, new Set(values));
  if (def.labels.includes("tenant") && config.tenants.values.length > 0) {
    sets.set("tenant", new Set([...config.tenants.values, TENANT_UNKNOWN, TENANT_NONE]));
  }
  if (def.labels.includes("product") && config.metrics.products.length > 0) {
    sets.set("product", new Set([...config.metrics.products, PRODUCT_OTHER]));
  }
  return sets;
}

/** Pool-based clients: their pool gauges are expected too. */
const POOL_CLIENTS = new Set(["pg", "neon", "drizzle-pg"]);

/**
 * Whether the app must expose a family: the database ones only where mon.config.json says a
 * database probe is wired (`database.probe`, or `metrics.databaseProbe` for a hand-written probe's
 * `database_up`), the pool gauges only for pool-based clients.
 */
export function isExpected(def: MetricDefinition, config: MonwireConfig): boolean {
  if (def.requires !== "database") return true;
  // A probe written by hand (createMonitoring({ databaseProbe })) exposes database_up alone.
  if (def.name === DATABASE_UP && config.metrics.databaseProbe) return true;
  const database = config.database;
  if (!database?.probe) return false;
  return !def.name.startsWith("db_pool_") || POOL_CLIENTS.has(database.client);
}

export function diffCatalog(families: readonly MetricFamily[], config: MonwireConfig): Finding[] {
  const byName = new Map(families.map((f) => [f.name, f]));
  const findings: Finding[] = [];
  const missing: MetricDefinition[] = [];
  for (const def of CATALOG as readonly MetricDefinition[]) {
    const family = byName.get(def.name);
    if (!family) {
      if (isExpected(def, config)) missing.push(def);
      continue;
    }
    if (family.type !== def.type) {
      findings.push({ rule: "monwire/catalog-type", severity: "error", family: def.name, line: family.line,
        message: `exposed as ${family.type}, the catalog defines a ${def.type}`, hint: `Declare ${def.name} as a ${def.type} (see docs/metrics.md).` });
      continue;
    }
    findings.push(...diffLabels(family, def, config));
  }
  if (missing.length > 0) {
    // One cause (the catalog registry is not served), so one finding rather than one per family.
    const only = missing.length === 1 ? missing[0] : undefined;
    findings.unshift({
      rule: "monwire/catalog-missing", severity: "error", ...(only ? { family: only.name } : {}),
      message: only ? `${only.type} ${only.name} is not exposed` : `${missing.length} catalog families are not exposed: ${missing.map((d) => d.name).join(", ")}`,
      hint: only?.name === DATABASE_UP && config.metrics.databaseProbe && !config.database?.probe
        ? "metrics.databaseProbe is true in mon.config.json: pass the probe to the runtime, createMonitoring({ databaseProbe: async () => /* e.g. SELECT 1 */ true })."
        : missing.every((d) => d.requires === "database")
        ? `mon.config.json has database.probe set, so the app must register its ${config.database?.client ?? "database"} client: call monitorDatabase(pool) from "monwire/runtime" where the pool is created (mon init adds it; docs/database.md), or remove the database section.`
        : "Serve monwire's registry (createMonitoring().mountMetrics(app)) so every catalog metric is registered.",
    });
  }
  return findings;
}

function diffLabels(family: MetricFamily, def: MetricDefinition, config: MonwireConfig): Finding[] {
  const expected = new Set(def.labels);
  const missing = new Set<string>();
  const extra = new Set<string>();
  const outside = new Map<string, Set<string>>();
  const sets = allowedValues(def, config);
  for (const series of family.series) {
    const names = new Set(series.labels.map((l) => l.name));
    for (const name of expected) if (!names.has(name)) missing.add(name);
    for (const label of series.labels) {
      if (!expected.has(label.name)) extra.add(label.name);
      const allowed = sets.get(label.name);
      if (allowed && !allowed.has(label.value)) {
        const values = outside.get(label.name) ?? new Set<string>();
        values.add(label.value);
        outside.set(label.name, values);
      }
    }
  }
  const at = { family: def.name, line: family.line };
  const findings: Finding[] = [];
  if (missing.size > 0) {
    findings.push({ rule: "monwire/catalog-labels", severity: "error", ...at, message: `missing label${missing.size > 1 ? "s" : ""} ${[...missing].join(", ")} (catalog: ${def.labels.join(", ") || "none"})`,
      hint: "Record the metric through monwire's runtime helpers, which set every catalog label." });
  }
  if (extra.size > 0) {
    findings.push({ rule: "monwire/catalog-labels", severity: "error", ...at, message: `unexpected label${extra.size > 1 ? "s" : ""} ${[...extra].join(", ")} (catalog: ${def.labels.join(", ") || "none"})`,
      hint: "Remove the extra labels: dashboards and alert rules are generated from the catalog." });
  }
  for (const [label, values] of outside) {
    const allowed = [...(sets.get(label) ?? [])];
    const hint = label === "tenant"
      ? `Add the tenant to tenants.values in mon.config.json, or fix the tenant resolver (unknown tenants must map to "${TENANT_UNKNOWN}").`
      : label === "product"
        ? `Add the product to metrics.products in mon.config.json (others are counted as "${PRODUCT_OTHER}").`
        : `Only ${allowed.join(", ")} are allowed: map other values before recording.`;
    findings.push({ rule: "monwire/catalog-values", severity: "error", ...at, message: `${label} value${values.size > 1 ? "s" : ""} ${showValues(values)} outside the allowed set (${allowed.join(", ")})`, hint });
  }
  return findings;
}
