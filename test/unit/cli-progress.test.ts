import { afterEach, describe, expect, it, vi } from "vitest";
import type { Output } from "../../src/cli/output.js";
import { createProgress } from "../../src/cli/progress.js";

const output = (fields: Partial<Output>) => ({ stderrIsTTY: true, quiet: false, ...fields }) as Output;

describe("the progress line of verify and report", () => {
  afterEach(() => vi.restoreAllMocks());

  function capture(): string[] {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (written.push(String(chunk)), true));
    return written;
  }

  it("draws one line on a terminal, redraws at most every 200 ms, and erases it", () => {
    const written = capture();
    const progress = createProgress(output({}));
    progress.update("verifying", 50e6, 200e6);
    progress.update("verifying", 60e6, 200e6);
    progress.clear();
    expect(written).toEqual(["\rverifying… 25% of 200 MB", "\r\x1b[K"]);
  });

  it.each([
    ["stderr is not a terminal", output({ stderrIsTTY: false }), {}],
    ["--quiet", output({ quiet: true }), {}],
    ["the command turned it off (--json)", output({}), { enabled: false }],
    ["the work is below its threshold", output({}), { minTotalBytes: 32 * 1024 * 1024 }],
  ])("stays silent when %s", (_why, out, options) => {
    const written = capture();
    const progress = createProgress(out, options);
    progress.update("aggregating", 1e6, 2e6);
    progress.clear();
    expect(written).toEqual([]);
  });
});
