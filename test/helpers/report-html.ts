import { expect } from "vitest";

/**
 * Reading `mon report --format html` back: its JSON island and every visible figure (each names
 * its path in the JSON report in `data-k` and its value in `data-v`), checked against the JSON.
 */
export interface Figure { k: string; v: string; text: string }

export function islandOf(html: string): unknown {
  const island = /<script type="application\/json" id="monwire-report">(.*?)<\/script>/s.exec(html)?.[1];
  if (island === undefined) throw new Error("no #monwire-report JSON island in the document");
  return JSON.parse(island);
}

/** Every `data-k` figure of the document, read from the markup (cells, stat boxes and chart bars). */
export function figuresOf(html: string): Figure[] {
  const cells = [...html.matchAll(/<(td|b) class="n" data-k="([^"]+)" data-v="([^"]+)">([^<]*)<\/\1>/g)].map((m) => ({ k: m[2] as string, v: m[3] as string, text: m[4] as string }));
  const bars = [...html.matchAll(/<g class="bar" data-k="([^"]+)" data-v="([^"]+)"><title>([^<]*)<\/title>/g)].map((m) => ({ k: m[1] as string, v: m[2] as string, text: m[3] as string }));
  return [...cells, ...bars];
}

export function valueAt(json: unknown, path: string): unknown {
  return path.split(/\.|\[(\d+)\]/).filter(Boolean).reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], json);
}

/** Asserts one figure against the JSON report: its value, and the text a person reads. */
export function checkFigure(report: unknown, f: Figure): void {
  const value = f.k.split(" + ").reduce((n, p) => n + Number(valueAt(report, p)), 0);
  expect(Number(f.v), f.k).toBe(value);
  const digits = (s: string) => s.replace(/[^\d]/g, "").replace(/^0+(?=\d)/, "");
  if (f.k.endsWith(".amountMinor")) {
    expect(digits(f.text), f.k).toBe(digits(String(valueAt(report, f.k.replace(/amountMinor$/, "amount")))));
  } else if (f.k.endsWith("failureRate")) {
    expect(f.text).toBe(`${(value * 100).toFixed(1)}%`);
  } else if (f.k.includes("hourly")) {
    expect(f.text, f.k).toContain(`: ${value.toLocaleString("en-US")} event`);
  } else {
    expect(f.text, f.k).toBe(value.toLocaleString("en-US"));
  }
}
