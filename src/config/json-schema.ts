import { isField, LENIENT_SECTIONS, RULES, string, type Rules, type SchemaFragment } from "./fields.js";
import { DATABASE_CLIENTS } from "./schema.js";

/** Where packages install the schema; `mon init` writes this as the config's "$schema". */
export const CONFIG_SCHEMA_REF = "./node_modules/monwire/schema/mon.config.schema.json";

function objectSchema(rules: Rules): SchemaFragment {
  const properties: Record<string, SchemaFragment> = {};
  for (const [name, rule] of Object.entries(rules)) properties[name] = isField(rule) ? rule.schema : objectSchema(rule);
  return { type: "object", properties, additionalProperties: false };
}

/**
 * The JSON Schema (draft 2020-12) of mon.config.json, built from the same field rules the loader
 * checks with, so editors complete and flag exactly the fields monwire knows. Written to
 * schema/mon.config.schema.json by `npm run schema`; a test fails when the file is stale.
 */
export function configJsonSchema(): SchemaFragment {
  const sections: Record<string, SchemaFragment> = {};
  for (const [name, rules] of Object.entries(RULES)) sections[name] = objectSchema(rules);
  const database = sections.database as SchemaFragment;
  sections.database = { ...database, required: ["client"], description: `Required client: one of ${DATABASE_CLIENTS.join(", ")}.` };
  for (const name of LENIENT_SECTIONS) {
    sections[name] = { type: "object", description: "Route rules keyed by \"<METHOD> <route>\"; each rule is checked on its own and a bad one is turned off (docs/tracking.md)." };
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "mon.config.json",
    description: "monwire's configuration (docs/configuration.md). Secrets never live here, only the names of the environment variables holding them.",
    type: "object",
    properties: { $schema: { type: "string" }, service: string.schema, ...sections },
    additionalProperties: false,
  };
}
