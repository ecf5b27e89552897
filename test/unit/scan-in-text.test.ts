import { describe, expect, it } from "vitest";
import { ChainChecker } from "../../src/audit/chain-checker.js";
import { matchChainLine, matchChainLineAt } from "../../src/audit/line-pattern.js";
import { LineSplitter } from "../../src/audit/lines.js";
import { SyntheticTrail } from "../../src/audit/synthetic-trail.js";
import { mutateTrail, randomChunks } from "../helpers/trail-mutations.js";

// `mon verify` reads ASCII lines inside a decoded window of many (LineSplitter.forEachInText +
// ChainChecker.lineIn) instead of a string per line. Its promise: the same verdict for every
// line as the per-line path (forEach + line), over every shape, mutation and chunking.

const DAY = "2025-03-10";

/** A day of trail in many shapes: signed or not, several writers, non-ASCII values, file events, day seals. */
function dayBytes(key: string | undefined, seed: number): Buffer {
  const trail = new SyntheticTrail({ key, start: `${DAY}T08:00:00.000Z`, stepMs: 1000 });
  const a = trail.writer({ id: `wa${seed}` });
  const b = trail.writer({ id: `wb${seed}` });
  const random = rng(seed);
  // About 400 kB: several windows of ASCII lines, and a few lines that are not ASCII (their window is read per line).
  for (let i = 0; i < 800; i++) {
    const w = random() < 0.5 ? a : b;
    const pick = Math.floor(random() * 20);
    if (i === 7 || i === 790) w.record({ reason: "čćžšđ € 😀", data: { note: "ünïcödé" } });
    else if (pick === 1) w.record({ category: "security", action: "audit.file.deleted", data: { note: "day file deleted while running", restored_lines: 3 } });
    else if (pick === 2) w.record({ amount: { currency: "BAM", minor: 1000 + i }, data: { order: `ORD-${i}`, ok: true, none: null }, ip: "10.0.0.1" });
    else if (pick === 3) w.record({ data: { nested: { no: "flat" } } });
    else w.record({ amount: { currency: "EUR", minor: -i }, target: { id: `w-${i}`, type: "wallet" } });
  }
  const lines = trail.linesByDay().get(DAY) ?? [];
  return Buffer.from(lines.join(""));
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Lines handed to ChainChecker.line by the last windowed check (the rest were settled in their window). */
let perLineCalls = 0;

/** A checker's whole result after reading `chunks`, per line (forEach) or in windows (forEachInText). */
function check(chunks: Buffer[], key: string | undefined, inText: boolean) {
  const checker = new ChainChecker({ key, fileStart: true, day: DAY });
  const line = checker.line.bind(checker);
  perLineCalls = 0;
  checker.line = (...args) => {
    perLineCalls += 1;
    return line(...args);
  };
  const splitter = new LineSplitter();
  const onLine = (line: Buffer, length: number, text: string) => void checker.line(line, true, length, text);
  // The read buffer is reused by the scan (readPlainChunks): copy, then scribble over it afterwards.
  for (const chunk of chunks) {
    const copy = Buffer.from(chunk);
    if (inText) splitter.forEachInText(copy, (text, from, to, c, offset) => checker.lineIn(text, from, to, c, offset), onLine);
    else splitter.forEach(copy, onLine);
    copy.fill(0x7b);
  }
  const length = splitter.unfinishedLength;
  const rest = splitter.end();
  if (rest) checker.line(rest, false, length, rest.toString());
  return checker.result();
}

describe("verify's windowed read gives every line the per-line verdict", () => {
  for (const key of [undefined, "k3y-for-the-parity-test"]) {
    it(`on clean and mutated trails, chunked any way (${key ? "signed" : "unsigned"})`, () => {
      const random = rng(key ? 7 : 11);
      let mutated = 0;
      let handedOver = 0;
      let lines = 0;
      for (let round = 0; round < 80; round++) {
        let bytes = dayBytes(key, round + 1);
        const edits = round === 0 ? 0 : 1 + Math.floor(random() * 3);
        for (let e = 0; e < edits; e++) bytes = mutateTrail(bytes, random);
        const perLine = check(randomChunks(bytes, random), key, false);
        const windowed = check(randomChunks(bytes, random), key, true);
        expect(windowed, `round ${round}`).toEqual(perLine);
        handedOver += perLineCalls;
        lines += perLine.lines;
        if (round === 0) expect(perLineCalls).toBeLessThan(perLine.lines / 2);
        if (perLine.issueCount > perLine.issues.filter((i) => i.kind === "file_event").length) mutated += 1;
      }
      // The mutations do reach the verdict (the comparison is not between two clean runs).
      expect(mutated).toBeGreaterThan(50);
      // Most lines were settled inside their window: the windowed path is what was compared.
      expect(handedOver).toBeLessThan(lines * 0.6);
    });
  }

  it("a clean day is intact, read whole, byte by byte, or in windows cut inside multi-byte characters", () => {
    const bytes = dayBytes("k", 3);
    const whole = check([bytes], "k", true);
    expect(whole.issueCount).toBe(whole.issues.filter((i) => i.kind === "file_event").length);
    expect(whole.lines).toBe(bytes.toString().split("\n").length - 1);
    const multiByte = bytes.indexOf("€");
    expect(multiByte).toBeGreaterThan(0);
    expect(check([bytes.subarray(0, multiByte + 1), bytes.subarray(multiByte + 1)], "k", true)).toEqual(whole);
    expect(check([...bytes].map((b) => Buffer.from([b])), "k", true)).toEqual(whole);
  });

  it("matches a line inside a text exactly where the line alone matches, with the same fields", () => {
    const lines = dayBytes(undefined, 5).toString().split("\n").slice(0, -1);
    const text = `${lines.join("\n")}\n`;
    let at = 0;
    let matched = 0;
    for (const line of lines) {
      expect(matchChainLineAt(text, at), line).toEqual(matchChainLine(line));
      if (matchChainLine(line)) matched += 1;
      at += line.length + 1;
    }
    expect(matched).toBeGreaterThan(50);
    // A line cut before its end, or followed by anything but "\n", is no match.
    const first = lines.find((l) => matchChainLine(l) !== undefined) as string;
    expect(matchChainLineAt(`${first}\r\n`, 0)).toBeUndefined();
    expect(matchChainLineAt(`${first} \n`, 0)).toBeUndefined();
    expect(matchChainLineAt(first, 0)).toBeUndefined();
    expect(matchChainLineAt(`x${first}\n`, 0)).toBeUndefined();
    expect(matchChainLineAt(`x${first}\n`, 1)).toEqual(matchChainLine(first));
  });
});
