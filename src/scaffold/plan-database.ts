import { DEFAULT_SLOW_QUERY_MS } from "../config/validate.js";
import type { DatabaseConfig } from "../config/schema.js";
import { editDatabaseFile, type DatabaseEdit } from "./db-edit.js";
import type { ProjectInfo } from "./types.js";

/**
 * The database step of `mon init`: the `database` config section and the monitorDatabase()
 * regions in the file that creates the pool. Clients the runtime cannot instrument yet, or a pool
 * created somewhere init cannot see, get a note saying what to do by hand.
 */
export interface DatabasePlan {
  path: string;
  /** The edit of `path` as it is on disk; undefined when nothing is to be wired. */
  edit?: DatabaseEdit;
  /** The same edit applied to other text (the entry after its own edit, when the pool lives there). */
  apply(text: string): DatabaseEdit | undefined;
  config?: DatabaseConfig;
  notes: string[];
}

export function planDatabase(project: ProjectInfo, read: (path: string) => string | undefined): DatabasePlan | undefined {
  const detected = project.database;
  if (!detected) return undefined;
  if (!detected.instrumentable) {
    return {
      path: "", apply: () => undefined, notes: [
        `${detected.client} was found (${detected.source}); monwire does not instrument it yet — pass createMonitoring({ databaseProbe }) for database_up (docs/database.md)`,
      ],
    };
  }
  const site = detected.site;
  if (!site) {
    return {
      path: "", apply: () => undefined, notes: [
        `${detected.client} was found but not where the app creates its pool or client: call monitorDatabase(pool) from "monwire/runtime" right after creating it (docs/database.md)`,
      ],
    };
  }
  const options = { language: project.language, moduleSystem: project.moduleSystem };
  const apply = (text: string) => editDatabaseFile(text, site, options);
  const current = read(site.file);
  const edit = current === undefined ? undefined : apply(current);
  return {
    path: site.file,
    ...(edit ? { edit } : {}),
    apply,
    config: { client: detected.client, probe: true, slowQueryMs: DEFAULT_SLOW_QUERY_MS },
    notes: edit ? [] : [`could not wire monitorDatabase(${site.variable}) into ${site.file}: call it there by hand (docs/database.md)`],
  };
}
