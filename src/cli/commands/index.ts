import type { Command } from "commander";

/** Each command file exports a function that declares the command on the program. */
export type RegisterCommand = (program: Command) => Command;

export const COMMANDS: RegisterCommand[] = [];
