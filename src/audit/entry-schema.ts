import { createRequire } from "node:module";
import { compileSchema, type JsonSchema, type Validator } from "./schema-compile.js";

/**
 * The one definition of an audit line: schema/audit-entry.schema.json, shipped in the package.
 * It is read once when this module loads (dist/audit and src/audit both sit two levels below the
 * package root) and compiled once; the writer, `mon verify` (its fast path included, see
 * line-pattern.ts), `mon report` and the tests all check entries with what is compiled here.
 * require() rather than a JSON import: Node 20 still warns on JSON modules.
 */
export const auditEntrySchema = createRequire(import.meta.url)("../../schema/audit-entry.schema.json") as JsonSchema & {
  required: readonly string[];
  properties: Record<string, JsonSchema>;
};

/** The members the writer adds when it chains an entry. */
export const CHAIN_FIELDS = ["writer", "seq", "prev", "hash"] as const;

/** Problems of one parsed line against the schema (empty when valid). */
export const validateAuditEntry: Validator = compileSchema(auditEntrySchema, { rootName: "entry" });

/**
 * The same schema for an entry before it is chained (no writer, seq, prev, hash yet): the writer
 * checks every entry with it before signing, so it never signs a line verify would reject.
 */
export const validateEntryBody: Validator = compileSchema(
  { ...auditEntrySchema, required: auditEntrySchema.required.filter((f) => !(CHAIN_FIELDS as readonly string[]).includes(f)) },
  { rootName: "entry" },
);

function enumOf(name: string): readonly string[] {
  const values = auditEntrySchema.properties[name]?.enum;
  if (!values) throw new Error(`audit schema: ${name} has no enum`);
  return values as string[];
}

/** Read from the schema, for the writer's friendlier input checks and the CLI's filters. */
export const ACTION_PATTERN = new RegExp(auditEntrySchema.properties.action?.pattern ?? "^$");
export const AUDIT_OUTCOME_VALUES = enumOf("outcome");
export const ACTOR_TYPES = auditEntrySchema.properties.actor?.properties?.type?.enum as readonly string[];
export const SCHEMA_CATEGORIES = enumOf("category");
