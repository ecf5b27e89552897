import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../src/config/json-schema.js";
import { checkConfig } from "../../src/config/validate.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { SHOP_CONFIG } from "../helpers/runtime-app.js";

const SCHEMA_FILE = join(REPO_ROOT, "schema", "mon.config.schema.json");
const schemaText = readFileSync(SCHEMA_FILE, "utf8");
// A real, independent JSON Schema validator: the schema must mean to it what the loader checks.
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(schemaText));

/** Every mon.config.json under a directory (fixture apps and templates; not their node_modules). */
function configFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules") return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return configFiles(path);
    return entry.name === "mon.config.json" ? [path] : [];
  });
}

/** The ```json blocks of the docs pages that show mon.config.json. */
function docExamples(): Array<[string, unknown]> {
  return ["configuration.md", "database.md", "tracking.md"].flatMap((page) => {
    const text = readFileSync(join(REPO_ROOT, "docs", page), "utf8");
    return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m, i): [string, unknown] => [`docs/${page} example ${i + 1}`, JSON.parse(m[1]!)]);
  });
}

describe("schema/mon.config.schema.json", () => {
  it("is what `npm run schema` generates from the loader's field rules (run it after changing src/config/fields.ts)", () => {
    expect(schemaText).toBe(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

  const examples: Array<[string, unknown]> = [
    ...[join(REPO_ROOT, "test", "fixtures"), join(REPO_ROOT, "templates")].flatMap(configFiles)
      .map((file): [string, unknown] => [file.slice(REPO_ROOT.length + 1), JSON.parse(readFileSync(file, "utf8"))]),
    ...docExamples(),
    ["test/helpers/runtime-app.ts SHOP_CONFIG", SHOP_CONFIG],
  ];

  it("finds the fixture and docs examples it checks", () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
  });

  it.each(examples)("accepts %s, as the loader does", (_name, config) => {
    expect(validate(config) ? [] : validate.errors).toEqual([]);
    expect(checkConfig(config).errors).toEqual([]);
  });

  it.each([
    ["a misspelt field", { audit: { retentionDay: 30 } }, "audit.retentionDay"],
    ["an unknown section", { metric: {} }, "metric"],
    ["a retention below one day", { audit: { retentionDays: 0 } }, "audit.retentionDays"],
    ["a fractional retention", { audit: { retentionDays: 1.5 } }, "audit.retentionDays"],
    ["a tenant source it cannot read", { tenants: { from: "cookie:shop" } }, "tenants.from"],
    ["a lowercase currency", { tenants: { values: ["KM"], currency: { KM: "bam" } } }, "tenants.currency"],
    ["a sample rate above 1", { sentry: { sampleRate: 5 } }, "sentry.sampleRate"],
    ["a database section without its client", { database: { probe: true } }, "database.client"],
    ["an unknown durability", { audit: { durability: "sometimes" } }, "audit.durability"],
    ["a metrics path without its slash", { metrics: { path: "metrics" } }, "metrics.path"],
    ["a port out of range", { metrics: { port: 70000 } }, "metrics.port"],
    ["an env var name with a dash", { sentry: { dsnEnv: "SENTRY-DSN" } }, "sentry.dsnEnv"],
  ])("rejects %s, as the loader does", (_name, config, path) => {
    expect(validate(config)).toBe(false);
    expect(checkConfig(config).errors.map((e) => e.path)).toContain(path);
  });

  it.each([
    ["buckets that do not increase", { metrics: { buckets: [1, 0.5] } }, "metrics.buckets"],
    ["a file mode others may read", { audit: { fileMode: "0644" } }, "audit.fileMode"],
    ["a currency for a tenant not listed", { tenants: { values: ["EUR"], currency: { KM: "BAM" } } }, "tenants.currency.KM"],
  ])("leaves %s to the loader (JSON Schema cannot say it; the description does)", (_name, config, path) => {
    expect(validate(config)).toBe(true);
    expect(checkConfig(config).errors.map((e) => e.path)).toContain(path);
  });
});
