import type { MonwireConfig } from "../config/schema.js";
import type { SelectableGroup } from "./findings.js";

/** Everything a `mon check` run was asked to do, already validated. */
export interface CheckOptions {
  cwd: string;
  configPath?: string;
  /** Overrides metrics.url from mon.config.json. */
  url?: string;
  /** Several instances (repeated --url): the metrics checks run once per URL. */
  urls?: readonly string[];
  /** A file_sd targets file: one metrics URL per target (with metrics.path). */
  targetsFile?: string;
  only: readonly SelectableGroup[];
  /** No network at all: scrape and online Sentry checks are skipped. */
  offline: boolean;
  /** Post one test envelope to the DSN's project. */
  online: boolean;
  timeoutMs: number;
  /** Number of random-path requests for the cardinality probe; undefined when not asked for. */
  probeCardinality?: number;
  seriesBudget: number;
  sloEdges: readonly number[];
  env: NodeJS.ProcessEnv;
  now: Date;
  /**
   * Why an unreachable metrics endpoint fails instead of being skipped: "CI is set" or
   * "--strict". Undefined on a developer's machine, where the app may simply not be started yet.
   */
  requireReachable?: string;
}

/** The run's resolved inputs, shared by the metrics, Sentry and audit checks. */
export interface CheckContext {
  options: CheckOptions;
  config: MonwireConfig;
  /** mon.config.json that was read, when one was found. */
  configFile?: string;
  /** Host project root: where mon.config.json lives, else cwd. Relative paths resolve here. */
  root: string;
  userAgent: string;
}
