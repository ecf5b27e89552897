import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { MonwireError } from "../errors.js";
import { CHAIN_STARTED_ACTION } from "./chain.js";
import type { DayFile } from "./files.js";
import { forEachLine, readHandleChunks } from "./lines.js";

/** Default name of the env var holding the HMAC key (config: audit.keyEnv). */
export const DEFAULT_KEY_ENV = "MONWIRE_AUDIT_KEY";

/** The HMAC key from the environment; an empty value counts as unset. */
export function keyFromEnv(keyEnv: string = DEFAULT_KEY_ENV, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[keyEnv];
  return value === undefined || value === "" ? undefined : value;
}

/** The usage error for a signed trail checked or sealed without its key. */
export function keyMissingError(keyEnv: string, where: string): MonwireError {
  return new MonwireError("E_AUDIT_KEY_MISSING", `the audit trail is signed with HMAC-SHA256 (${where}) but ${keyEnv} is not set`, {
    hint: `Set ${keyEnv} to the key the trail was written with (audit.keyEnv in mon.config.json names the variable).`,
  });
}

const HEAD_BYTES = 16 * 1024;

/** Whether a line is an audit.chain.started entry declaring hmac-sha256. */
function declaresSigning(text: string): boolean {
  if (!text.includes(CHAIN_STARTED_ACTION) || !text.includes('"hmac-sha256"')) return false;
  try {
    const entry = JSON.parse(text) as { action?: string; data?: { alg?: string } };
    return entry.action === CHAIN_STARTED_ACTION && entry.data?.alg === "hmac-sha256";
  } catch {
    // A line cut by the read window; the full verification sees it whole.
    return false;
  }
}

/**
 * Where a day file first shows that its writers sign with HMAC (an audit.chain.started entry
 * declaring hmac-sha256 near the start of the file), or undefined. A cheap look before a long
 * verification, so a missing key is reported at once rather than after reading every file.
 */
export async function findSignedStart(files: readonly DayFile[]): Promise<string | undefined> {
  for (const file of files) {
    if (file.compressed) continue;
    // A file that cannot be read is the verification's finding to report, not a reason to stop here.
    // Opened without blocking: a FIFO planted as a day file would otherwise hold the run forever.
    const handle = await open(file.path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch(() => undefined);
    if (!handle) continue;
    if (!(await handle.stat().then((s) => s.isFile(), () => false))) {
      await handle.close();
      continue;
    }
    let line = 0;
    let found: string | undefined;
    try {
      await forEachLine(readHandleChunks(handle, { start: 0, end: HEAD_BYTES }, HEAD_BYTES), (_bytes, _length, text) => {
        line += 1;
        if (found === undefined && declaresSigning(text)) found = `${file.name} line ${line}`;
      });
    } catch {
      // Unreadable after opening: likewise the verification's finding.
    } finally {
      await handle.close();
    }
    if (found !== undefined) return found;
  }
  return undefined;
}
