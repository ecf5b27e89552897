/**
 * Owned regions: every line monwire adds to a file the user owns sits between
 * `// monwire:begin NAME` and `// monwire:end NAME` (or `#` markers in YAML, .gitignore and
 * .env files). Regions are whole lines, so removing them restores the original bytes exactly.
 */
export type CommentStyle = "//" | "#";

export interface Region {
  name: string;
  /** The lines between the markers, without indentation or line endings. */
  body: string[];
  /** Offsets of the whole block in the text, markers and line endings included. */
  start: number;
  end: number;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** The line ending a file uses: CRLF when most of its line breaks are CRLF. */
export function detectEol(text: string): "\n" | "\r\n" {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? "\r\n" : "\n";
}

/** Renders a region block: markers and body, each line indented and ended with `eol`. */
export function renderRegion(name: string, body: string[], options: { indent?: string; eol?: string; comment?: CommentStyle } = {}): string {
  const { indent = "", eol = "\n", comment = "//" } = options;
  const lines = [`${comment} monwire:begin ${name}`, ...body, `${comment} monwire:end ${name}`];
  return lines.map((line) => `${line === "" ? "" : indent}${line}${eol}`).join("");
}

function regionPattern(comment: CommentStyle): RegExp {
  const c = escape(comment);
  return new RegExp(`^([ \\t]*)${c} monwire:begin ([\\w-]+)[ \\t]*\\r?\\n([\\s\\S]*?)^[ \\t]*${c} monwire:end \\2[ \\t]*(\\r?\\n|$)`, "gm");
}

/** Every region in the text, in order. */
export function findRegions(text: string, comment: CommentStyle = "//"): Region[] {
  const regions: Region[] = [];
  for (const match of text.matchAll(regionPattern(comment))) {
    const [whole, , name, inner] = match;
    const body = inner!.split(/\r?\n/).slice(0, -1).map((line) => line.trim());
    regions.push({ name: name!, body, start: match.index!, end: match.index! + whole.length });
  }
  return regions;
}

/**
 * Removes every region (except those `keep` accepts). A region appended to a file that had no final newline was preceded by
 * one line break monwire added; that break goes too, so the result is the original text.
 */
export function stripRegions(text: string, comment: CommentStyle = "//", keep: (region: Region) => boolean = () => false): string {
  let result = "";
  let cursor = 0;
  for (const region of findRegions(text, comment)) {
    if (keep(region)) continue;
    let start = region.start;
    const atEndWithoutEol = region.end === text.length && !/\n$/.test(text);
    if (atEndWithoutEol) start -= /\r\n$/.test(text.slice(0, start)) ? 2 : /\n$/.test(text.slice(0, start)) ? 1 : 0;
    result += text.slice(cursor, start);
    cursor = region.end;
  }
  return result + text.slice(cursor);
}

/** A region to insert at an offset (a line start, or the end of the text). */
export interface Insertion {
  offset: number;
  name: string;
  body: string[];
  indent: string;
}

/** Applies insertions to clean text (no regions), keeping the file's line endings. */
export function insertRegions(text: string, insertions: Insertion[], comment: CommentStyle = "//"): string {
  const eol = detectEol(text);
  const sorted = [...insertions].sort((a, b) => a.offset - b.offset);
  let result = "";
  let cursor = 0;
  for (const insertion of sorted) {
    result += text.slice(cursor, insertion.offset);
    let block = renderRegion(insertion.name, insertion.body, { indent: insertion.indent, eol, comment });
    if (insertion.offset === text.length && text.length > 0 && !text.endsWith("\n")) block = eol + block.slice(0, -eol.length);
    result += block;
    cursor = insertion.offset;
  }
  return result + text.slice(cursor);
}

/** Offset of the start of the line containing `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Offset just after the line break ending the line that contains `offset` (or the text end). */
export function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline + 1;
}

export function indentAt(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
}
