import { ExpositionParseError, type Exposition } from "./exposition.js";

/**
 * Line-by-line recovery shared by both parsers: without `recover` the first parse error is
 * thrown (what Prometheus does with the scrape); with it the bad line is skipped, the first
 * error kept, and the rest of the body still read so the lints see every valid line.
 */
export class Recovery {
  private first: ExpositionParseError | undefined;
  private skipped = 0;

  constructor(private readonly recover: boolean) {}

  /** Runs one line's parse; a parse error is thrown or recorded. */
  line(parse: () => void): void {
    try {
      parse();
    } catch (error) {
      this.record(error);
    }
  }

  record(error: unknown): void {
    if (!this.recover || !(error instanceof ExpositionParseError)) throw error;
    this.first ??= error;
    this.skipped++;
  }

  finish(result: Exposition): Exposition {
    if (this.first) {
      result.parseError = this.first;
      result.skippedLines = this.skipped;
    }
    return result;
  }
}
