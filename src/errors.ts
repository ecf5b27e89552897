/**
 * The one error type monwire throws on purpose. `code` is stable and machine-readable,
 * `exitCode` follows the CLI contract (2 usage/config, 1 findings, 70 internal), and `hint`
 * says how to fix the problem. Only the CLI entry turns these into an exit.
 */
export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  unsupported: 3,
  internal: 70,
  interrupted: 130,
} as const;

export type ErrorCode =
  | "E_USAGE"
  | "E_CONFIG_NOT_FOUND"
  | "E_CONFIG_INVALID"
  | "E_CONFIG_PARSE"
  | "E_OPTION_INVALID"
  | "E_DSN_INVALID"
  | "E_AUDIT_WRITE"
  | "E_AUDIT_CLOSED"
  | "E_AUDIT_INVALID"
  | "E_AUDIT_KEY_MISSING"
  | "E_AUDIT_DIR"
  | "E_WITNESS"
  | "E_AUDIT_NO_FILES"
  | "E_NOT_EXPRESS"
  | "E_UNSUPPORTED_PROJECT"
  | "E_CONFLICT"
  | "E_APPLY_FAILED"
  | "E_NETWORK"
  | "E_DEMO_FAILED"
  | "E_PROMETHEUS_MISSING"
  | "E_INTERNAL";

export interface MonwireErrorOptions {
  exitCode?: number;
  hint?: string;
  cause?: unknown;
  /** Field paths (e.g. `audit.retentionDays`) with what is wrong with each. */
  issues?: ConfigIssue[];
}

export interface ConfigIssue {
  path: string;
  message: string;
}

export class MonwireError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint: string | undefined;
  readonly issues: ConfigIssue[];

  constructor(code: ErrorCode, message: string, options: MonwireErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MonwireError";
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT.usage;
    this.hint = options.hint;
    this.issues = options.issues ?? [];
  }
}

export function isMonwireError(error: unknown): error is MonwireError {
  return error instanceof MonwireError;
}
