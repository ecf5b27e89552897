import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { link, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createGunzip } from "node:zlib";
import { canonicalize } from "./canonical.js";
import { listAnchoredDays } from "./files.js";
import { LineSplitter } from "./lines.js";
import { GENESIS_HASH, addDays, anchorFileName, dayFileName, digest, hashAlgorithm, keyId, type HashAlgorithm } from "./chain.js";

/** Seals one closed UTC day. Stored as canonical JSON in `audit-YYYY-MM-DD.anchor.json`. */
export interface Anchor {
  v: 1;
  day: string;
  sealed_at: string;
  /** The day's file as sealed; sha256/bytes/lines are of the uncompressed content, so gzip archiving keeps it verifiable. */
  files: AnchorFile[];
  writers: AnchorWriter[];
  /** `hash` of the previous anchor in the directory, or 64 zeros for the first. */
  prev_anchor: string;
  alg: HashAlgorithm;
  /** keyId() of the signing key (keyed anchors only), so a wrong key is recognised as such. */
  key_id?: string;
  hash: string;
}

export interface AnchorFile {
  name: string;
  sha256: string;
  bytes: number;
  lines: number;
}

export interface AnchorWriter {
  writer: string;
  first_seq: number;
  last_seq: number;
  last_hash: string;
}

export function computeAnchorHash(anchor: Omit<Anchor, "hash"> | Anchor, key: string | undefined): string {
  const { hash: _omit, ...body } = anchor as Anchor;
  return digest(canonicalize(body), key);
}

/** Streams a day file (plain or .gz) and returns its digest, size, line count and writer heads. */
export async function summarizeDayFile(path: string): Promise<{ file: Omit<AnchorFile, "name">; writers: AnchorWriter[] }> {
  const hasher = createHash("sha256");
  let bytes = 0;
  let lines = 0;
  const writers = new Map<string, AnchorWriter>();
  const input = path.endsWith(".gz") ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  const take = (line: string) => {
    if (line.length === 0) return;
    try {
      const entry = JSON.parse(line) as { writer?: unknown; seq?: unknown; hash?: unknown };
      if (typeof entry.writer !== "string" || typeof entry.seq !== "number" || typeof entry.hash !== "string") return;
      const head = writers.get(entry.writer);
      if (head) {
        head.last_seq = entry.seq;
        head.last_hash = entry.hash;
      } else writers.set(entry.writer, { writer: entry.writer, first_seq: entry.seq, last_seq: entry.seq, last_hash: entry.hash });
    } catch {
      // A torn or corrupt line is sealed as it is; the verifier reports it.
    }
  };
  // The scan engine's splitter: linear however long a line is, and never cuts a UTF-8 character.
  const splitter = new LineSplitter();
  const onLine = (_bytes: Buffer, _length: number, text: string) => {
    lines += 1;
    take(text);
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    hasher.update(chunk);
    bytes += chunk.length;
    splitter.forEach(chunk, onLine);
  }
  const rest = splitter.end();
  if (rest) onLine(rest, rest.length, rest.toString());
  return { file: { sha256: hasher.digest("hex"), bytes, lines }, writers: [...writers.values()] };
}

export async function readAnchor(dir: string, day: string): Promise<Anchor | undefined> {
  const path = join(dir, anchorFileName(day));
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, "utf8")) as Anchor;
}

/** `{day, hash}` of the newest anchor in `dir`, or null (none yet, or unreadable: verify's business). */
export async function newestAnchorLink(dir: string): Promise<{ day: string; hash: string } | null> {
  try {
    const day = (await listAnchoredDays(dir)).pop();
    const anchor = day ? await readAnchor(dir, day) : undefined;
    return day && typeof anchor?.hash === "string" ? { day, hash: anchor.hash } : null;
  } catch {
    return null;
  }
}


/** The anchor for `day`, computed from the directory as it is now (not written). */
export async function computeAnchor(options: { dir: string; day: string; key: string | undefined; prevAnchor: string; now?: Date }): Promise<Anchor> {
  const { dir, day, key } = options;
  const files: AnchorFile[] = [];
  let writers: AnchorWriter[] = [];
  for (const name of [dayFileName(day), `${dayFileName(day)}.gz`]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const summary = await summarizeDayFile(path);
    files.push({ name: dayFileName(day), ...summary.file });
    writers = summary.writers;
    break;
  }
  const body: Omit<Anchor, "hash"> = {
    v: 1,
    day,
    sealed_at: (options.now ?? new Date()).toISOString(),
    files,
    writers,
    prev_anchor: options.prevAnchor,
    alg: hashAlgorithm(key),
    ...(key ? { key_id: keyId(key) } : {}),
  };
  return { ...body, hash: computeAnchorHash(body, key) };
}

/**
 * Writes the anchor file without ever replacing an existing one: the content goes to a temp file
 * that is hard-linked into place, which fails atomically when another process sealed first.
 * Returns the anchor that is on disk afterwards.
 */
export async function writeAnchorExclusive(dir: string, anchor: Anchor): Promise<{ anchor: Anchor; created: boolean }> {
  const target = join(dir, anchorFileName(anchor.day));
  const temp = join(dir, `.${anchorFileName(anchor.day)}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(temp, `${canonicalize(anchor)}\n`, { mode: 0o640, flush: true });
  try {
    await link(temp, target);
    return { anchor, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { anchor: JSON.parse(await readFile(target, "utf8")) as Anchor, created: false };
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Seals every closed day from the day after the newest anchor (or `firstDay` when there is none)
 * through `throughDay`, in order, each chained to the one before. Days without a file get an
 * anchor too: it proves there were no events.
 */
export async function sealThrough(options: { dir: string; throughDay: string; firstDay: string; key: string | undefined; now?: Date }): Promise<Anchor[]> {
  const anchored = await listAnchoredDays(options.dir);
  const last = anchored.filter((d) => d <= options.throughDay).pop();
  let prevAnchor = GENESIS_HASH;
  let day = options.firstDay;
  if (last) {
    const anchor = await readAnchor(options.dir, last);
    prevAnchor = anchor?.hash ?? GENESIS_HASH;
    day = addDays(last, 1);
  }
  const written: Anchor[] = [];
  for (; day <= options.throughDay; day = addDays(day, 1)) {
    const anchor = await computeAnchor({ dir: options.dir, day, key: options.key, prevAnchor, now: options.now });
    const result = await writeAnchorExclusive(options.dir, anchor);
    if (result.created) written.push(result.anchor);
    prevAnchor = result.anchor.hash;
  }
  return written;
}
