import { open } from "node:fs/promises";
import { MonwireError } from "../errors.js";
import { CHAIN_STARTED_ACTION } from "./chain.js";
import type { DayFile } from "./files.js";

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

/**
 * Where a day file first shows that its writers sign with HMAC (an audit.chain.started entry
 * declaring hmac-sha256 near the start of the file), or undefined. A cheap look before a long
 * verification, so a missing key is reported at once rather than after reading every file.
 */
export async function findSignedStart(files: readonly DayFile[]): Promise<string | undefined> {
  for (const file of files) {
    if (file.compressed) continue;
    // A file that cannot be read is the verification's finding to report, not a reason to stop here.
    const handle = await open(file.path, "r").catch(() => undefined);
    if (!handle) continue;
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const read = await handle.read(buffer, 0, HEAD_BYTES, 0).catch(() => undefined);
      if (!read) continue;
      const { bytesRead } = read;
      const lines = buffer.subarray(0, bytesRead).toString("utf8").split("\n");
      for (const [index, line] of lines.entries()) {
        if (!line.includes(CHAIN_STARTED_ACTION) || !line.includes('"hmac-sha256"')) continue;
        try {
          const entry = JSON.parse(line) as { action?: string; data?: { alg?: string } };
          if (entry.action === CHAIN_STARTED_ACTION && entry.data?.alg === "hmac-sha256") return `${file.name} line ${index + 1}`;
        } catch {
          // A line cut by the read window; the full verification sees it whole.
        }
      }
    } finally {
      await handle.close();
    }
  }
  return undefined;
}
