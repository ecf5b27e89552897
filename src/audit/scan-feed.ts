import { ChainChecker, isFileEventAt } from "./chain-checker.js";
import { chainFieldsOf, matchReportLineAt, matchReportShape, matchReportShapeAt } from "./line-pattern.js";
import type { LineAggregator } from "./scan-aggregate.js";

/**
 * How the lines of a piece reach the chain checker (verify), the report's aggregator, or both:
 * what the scan engine hands LineSplitter. Per line (`onLine`), each line is one decoded string
 * shared by both. In windows (`inText`, when given: LineSplitter.forEachInText), an ASCII line is
 * matched inside a decoded window of many, with no string of its own; the usual line is settled
 * there, and every other line is handed to `onLine` with its bytes, so it gets exactly the
 * per-line verdict and counts. `windowEnd` runs after each window.
 */
export interface LineFeed {
  onLine: (bytes: Buffer, length: number, text: string) => void;
  inText?: (text: string, from: number, to: number, chunk: Buffer, offset: number) => void;
  windowEnd?: () => void;
}

/** `windowed: false` gives the per-line path alone (the reference the windowed one is tested against). */
export function lineFeed(checker: ChainChecker | undefined, aggregator: LineAggregator | undefined, windowed = true): LineFeed {
  if (checker && aggregator) {
    const onLine = (bytes: Buffer, length: number, text: string) => {
      // One match of the schema-derived pattern serves both (a line ending in CR takes each one's
      // own path). Its hash and prev are left to the checker, which proves both on its hot path
      // with comparisons it makes anyway; a line it did not prove is matched again in full.
      const shape = text.charCodeAt(text.length - 1) === 13 ? null : matchReportShape(text);
      checker.line(bytes, true, length, text, shape ? chainFieldsOf(shape) : undefined);
      aggregator.line(text, true, length, checker.provedFields && shape ? shape : undefined, bytes);
    };
    if (!windowed || !aggregator.takesWindows) return { onLine };
    // A settled line the aggregator's window path declines is counted as the per-line path would.
    const countLine = (bytes: Buffer, length: number, text: string) => aggregator.line(text, true, length, undefined, bytes);
    const inText = (text: string, from: number, to: number, chunk: Buffer, offset: number) => {
      // The same single match, in its window form: the checker settles the line's verdict with it
      // (proving hash and prev), then the aggregator counts it.
      const shape = isFileEventAt(text, from) ? null : matchReportShapeAt(text, from);
      if (shape && checker.settleIn(chainFieldsOf(shape), chunk, offset + from, offset + to)) {
        if (aggregator.lineIn(shape)) return;
        return perLine(chunk, offset + from, offset + to, countLine);
      }
      perLine(chunk, offset + from, offset + to, onLine);
    };
    const windowEnd = () => {
      checker.windowEnd();
      aggregator.windowEnd();
    };
    return { onLine, inText, windowEnd };
  }
  if (checker) {
    const onLine = (bytes: Buffer, length: number, text: string) => void checker.line(bytes, true, length, text);
    if (!windowed) return { onLine };
    return { onLine, inText: (text, from, to, chunk, offset) => checker.lineIn(text, from, to, chunk, offset), windowEnd: () => checker.windowEnd() };
  }
  const report = aggregator as LineAggregator;
  const onLine = (bytes: Buffer, length: number, text: string) => report.line(text, true, length, undefined, bytes);
  if (!windowed || !report.takesWindows) return { onLine };
  const inText = (text: string, from: number, to: number, chunk: Buffer, offset: number) => {
    const m = matchReportLineAt(text, from, chunk, offset + from);
    if (!m || !report.lineIn(m)) perLine(chunk, offset + from, offset + to, onLine);
  };
  return { onLine, inText, windowEnd: () => report.windowEnd() };
}

/** A line the window did not settle, handed to a per-line consumer with its bytes and its own string. */
function perLine(chunk: Buffer, start: number, end: number, onLine: LineFeed["onLine"]): void {
  const bytes = chunk.subarray(start, end);
  onLine(bytes, bytes.length, bytes.toString());
}
