import type { Pm2Ecosystem } from "./detect-scale.js";
/**
 * The data that flows through `mon init` / `mon uninstall`: what was detected about the host,
 * the answers, and the planned file changes. Cores pass these around; commands render them.
 */
export type PackageManager = "npm" | "pnpm" | "yarn" | "bun";
export type ModuleSystem = "esm" | "cjs";
export type Language = "ts" | "js";

/** One fact found about the host, with where it came from (printed first by `mon init`). */
export interface Evidence {
  fact: string;
  source: string;
}

export interface ScriptCommand {
  /** package.json script name. */
  script: string;
  /** The runner: node, tsx, ts-node, nodemon, esbuild, tsc, … */
  runner: string;
  /** The file the runner executes or bundles, relative to the project root. */
  file?: string;
}

export interface ProjectInfo {
  /** Absolute project root (the directory holding package.json). */
  root: string;
  /** Where the package manager runs: the workspace root, or `root`. */
  installRoot: string;
  packageName: string;
  packageManager: PackageManager;
  workspace: boolean;
  language: Language;
  moduleSystem: ModuleSystem;
  /** Whether relative imports in generated ESM TypeScript need a `.js` extension. */
  importExtension: string;
  expressMajor: 4 | 5;
  /** Entry file relative to root, using `/`. */
  entry: string;
  /** Folder where server code lives (`server`, `src` or `.`). */
  serverDir: string;
  port?: number;
  /** Extension of generated source files, taken from the entry (`.ts`, `.mts`, `.js`, `.cjs`, …). */
  sourceExtension: string;
  scripts: ScriptCommand[];
  /** Existing Sentry setup in host code (file that calls Sentry.init), if any. */
  existingSentry?: string;
  existingPromClient?: string;
  existingWinston?: string;
  /** A source file that imports node:cluster. */
  clusterUsage?: string;
  /** A PM2 ecosystem file at the root. */
  pm2Ecosystem?: Pm2Ecosystem;
  /** The host already serves this path (e.g. its own /metrics). */
  existingMetricsRoute?: string;
  /** The database client and where the app creates it (see detect-db.ts). */
  database?: import("./detect-db.js").DetectedDatabase;
  /** Highest Node major the host allows / runs, used to pick @sentry/node. */
  nodeVersion: string;
  evidence: Evidence[];
  warnings: string[];
}

export interface DetectOverrides {
  entry?: string;
  pm?: PackageManager;
  module?: ModuleSystem;
}

export interface InitAnswers {
  tenants: string[];
  tenantFrom: string;
  currency: Record<string, string>;
  port: number;
  metricsPath: string;
  auditDir: string;
  retentionDays: number;
  sentry: boolean;
  metrics: boolean;
  audit: boolean;
  /** Send the client's IP address to Sentry (personal data; the shop's error context asks for it). */
  userIp: boolean;
  /** Send the client's user agent to Sentry (personal data). */
  userAgent: boolean;
  /** CPU profiling with @sentry/profiling-node. */
  profiling: boolean;
}

export type ChangeKind = "create" | "update" | "delete" | "skip" | "conflict";

export interface FileChange {
  /** Path relative to the project root, with `/`. */
  path: string;
  kind: ChangeKind;
  /** Why (shown in the preview), e.g. "instrument file for Sentry". */
  reason: string;
  /** Current bytes on disk (undefined when the file does not exist). */
  before?: string;
  /** Bytes to write (undefined for delete). */
  after?: string;
  /** Binary content to write instead of `after` (which then only labels it for the preview). */
  bytes?: Buffer;
}

export interface ManifestFile {
  path: string;
  /** sha256 of the bytes monwire wrote (for created files) or of the file after editing (edited files). */
  sha256: string;
  /** "created": monwire owns the whole file; "edited": only its marked regions / keys. */
  ownership: "created" | "edited";
  /** For edited files: sha256 of each owned region's body, so uninstall can tell user edits apart. */
  regions?: Record<string, string>;
}

export interface Manifest {
  version: 1;
  monwire: string;
  files: ManifestFile[];
  /** Scripts changed: the value before and after, restored by uninstall when still unchanged. */
  scripts: Record<string, { before: string; after: string }>;
  /** Dependencies added to package.json (never ones the host already had). */
  dependencies: Record<string, string>;
  /** Route keys ("POST /api/orders") init has seen: later runs propose rules only for new ones. */
  routes?: string[];
}

export interface Plan {
  root: string;
  /** Route rules proposed for new routes, and the ones written into mon.config.json. */
  rules?: { proposed: import("./rules-propose.js").RuleProposal[]; added: string[]; products: string[]; actor: boolean };
  changes: FileChange[];
  manifest: Manifest;
  warnings: string[];
  notes: string[];
  /** Registrations init could not classify and put monitoring.errorHandler before (see error-position.ts). */
  uncertainMiddleware?: string[];
}
