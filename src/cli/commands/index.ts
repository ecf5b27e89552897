import type { Command } from "commander";
import { registerCheck } from "./check.js";
import { registerCompletion } from "./completion.js";
import { registerDemo } from "./demo.js";
import { registerInit } from "./init.js";
import { registerPrune } from "./prune.js";
import { registerSeal } from "./seal.js";
import { registerSentry } from "./sentry.js";
import { registerReport } from "./report.js";
import { registerTail } from "./tail.js";
import { registerUninstall } from "./uninstall.js";
import { registerVerify } from "./verify.js";

/** Each command file exports a function that declares the command on the program. */
export type RegisterCommand = (program: Command) => Command;

export const COMMANDS: RegisterCommand[] = [registerInit, registerUninstall, registerCheck, registerTail, registerVerify, registerSeal, registerPrune, registerReport, registerDemo, registerSentry, registerCompletion];
