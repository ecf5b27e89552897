import { MonwireError } from "../errors.js";

/**
 * `mon tail --grep`: a substring, or a regular expression written `/…/flags`, matched against the
 * raw line as stored (so it also finds text in fields no other filter covers, like a tx_id).
 * Several patterns are OR-ed. Substrings are matched on the bytes, without decoding the line.
 */
export function compileGrep(patterns: readonly string[]): (line: Buffer) => boolean {
  if (patterns.length === 0) return () => true;
  const tests = patterns.map((pattern): ((line: Buffer) => boolean) => {
    const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
    if (!regex) {
      const needle = Buffer.from(pattern, "utf8");
      return (line) => line.includes(needle);
    }
    let compiled: RegExp;
    try {
      compiled = new RegExp(regex[1] as string, regex[2]);
    } catch (error) {
      throw new MonwireError("E_OPTION_INVALID", `--grep ${pattern} is not a valid regular expression: ${(error as Error).message}`, {
        hint: "Escape special characters, or drop the slashes to search for the text as it is.",
      });
    }
    return (line) => {
      compiled.lastIndex = 0;
      return compiled.test(line.toString("utf8"));
    };
  });
  return (line) => tests.some((test) => test(line));
}
