import { AUDIT_FORMAT_VERSION } from "../../audit/entry.js";
import { TENANT_NONE } from "../../metrics/catalog.js";
import type { BuiltEntry } from "./build-entry.js";
import type { DayFileChange } from "./day-file-guard.js";
import type { Restored } from "./day-files.js";

/**
 * The `security` entry a writer records when its day file was deleted or replaced under it
 * (`audit.file.deleted` / `audit.file.replaced`). It goes into the new file right after the
 * writer's restored lines and continues the writer's chain, so the event is itself signed.
 */
export function fileChangedEntry(ts: string, change: DayFileChange, file: string, restored: Restored): BuiltEntry {
  const data = {
    file,
    restored_lines: restored.lines,
    ...(restored.alreadyThere > 0 ? { lines_already_there: restored.alreadyThere } : {}),
    previous_inode: restored.previous.ino.toString(),
    inode: restored.current.ino.toString(),
    note: change === "deleted"
      ? "the day file was deleted while the app ran; this writer's lines were copied back from its open descriptor"
      : "the day file was replaced while the app ran; this writer's lines were copied from the previous file into the new one",
  };
  return {
    body: {
      v: AUDIT_FORMAT_VERSION,
      ts,
      category: "security",
      action: `audit.file.${change}`,
      outcome: "failure",
      tenant: TENANT_NONE,
      actor: { id: "monwire", type: "system" },
      data,
    },
  };
}
