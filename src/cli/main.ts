import { EXIT } from "../errors.js";
import { exitCodeOf } from "./action.js";
import { errorDocument, handleError, wantsJson } from "./handle-error.js";
import { exitQuietlyOnEpipe } from "./output.js";
import { buildProgram } from "./program.js";

/** CLI entry: the only place in monwire that sets the process exit code. */
export async function main(argv: string[]): Promise<void> {
  exitQuietlyOnEpipe();
  process.once("SIGINT", () => process.exit(EXIT.interrupted));
  try {
    const program = buildProgram();
    await program.parseAsync(argv);
    process.exitCode = exitCodeOf(program);
  } catch (error) {
    const code = handleError(error);
    process.exitCode = code;
    const doc = wantsJson(argv.slice(2)) ? errorDocument(error, code) : undefined;
    if (doc) process.stdout.write(`${JSON.stringify(doc)}\n`);
  }
}
