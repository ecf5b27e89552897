import winston from "winston";
import TransportStream from "winston-transport";
import type { PendingEntry } from "./committer.js";

/** Where an info object carries its audit entry and the settle functions of its record() promise. */
export const PENDING = Symbol("monwire.audit.pending");

export interface AuditInfo {
  level: "audit";
  message: string;
  [PENDING]: PendingEntry;
}

/**
 * The winston transport that makes audit entries durable. It hands each entry to the group-commit
 * queue and releases the stream at once: if it held the stream's callback until the disk write,
 * winston would buffer entries in its stream and feed them one by one, defeating group commit.
 * Acknowledgement therefore comes from the queue, through the entry's own promise, and a failed
 * write never reaches the stream as an error (which would end the logger for good).
 */
export class AuditFileTransport extends TransportStream {
  constructor(private readonly enqueue: (pending: PendingEntry) => void) {
    super({ level: "audit" });
  }

  override log(info: AuditInfo, next: () => void): void {
    const pending = info[PENDING];
    if (pending) this.enqueue(pending);
    next();
  }
}

/**
 * The trail's winston logger: one "audit" level, no formatting (the line is built by the chain,
 * not by a winston format), and errors contained so that logging can never crash the host.
 */
export function createAuditLogger(transport: AuditFileTransport): winston.Logger {
  const logger = winston.createLogger({
    levels: { audit: 0 },
    level: "audit",
    format: winston.format((info) => info)(),
    transports: [transport],
    exitOnError: false,
  });
  logger.on("error", () => undefined);
  return logger;
}
