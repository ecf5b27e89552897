import { EXIT } from "../errors.js";
import { handleError } from "./handle-error.js";
import { exitQuietlyOnEpipe } from "./output.js";
import { buildProgram } from "./program.js";

/** CLI entry: the only place in monwire that sets the process exit code. */
export async function main(argv: string[]): Promise<void> {
  exitQuietlyOnEpipe();
  process.once("SIGINT", () => process.exit(EXIT.interrupted));
  try {
    const program = buildProgram();
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = handleError(error);
  }
}
