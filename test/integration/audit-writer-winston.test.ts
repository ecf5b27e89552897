import { readFileSync, readdirSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import winston from "winston";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuditTrail } from "../../src/runtime/audit/index.js";
import { createMonitoring } from "../../src/runtime/create-monitoring.js";
import type { AuditEntry } from "../../src/audit/entry.js";
import { makeTempDir } from "../helpers/cli.js";

/**
 * The writer does not go through winston; a host that wants its audit entries in its own winston
 * logger too opts in with onWritten (createMonitoring: onAuditWritten) and brings winston. Real
 * winston with its File transport here, read back from disk.
 */
let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: root, cleanup } = await makeTempDir("monwire-audit-winston-"));
});
afterEach(async () => cleanup());

const trailLines = (dir: string) =>
  readdirSync(dir).filter((n) => n.endsWith(".log")).flatMap((n) => readFileSync(join(dir, n), "utf8").split("\n").filter(Boolean)).map((l) => JSON.parse(l) as AuditEntry);

function winstonFileLogger(file: string) {
  const transport = new winston.transports.File({ filename: file });
  const logger = winston.createLogger({ format: winston.format.json(), transports: [transport] });
  const end = async () => {
    const finished = once(transport, "finish");
    logger.end();
    await finished;
  };
  return { logger, end };
}

describe("audit entries forwarded to a host's winston logger", () => {
  it("hands every written entry, chain start included, to the logger after it is on disk", async () => {
    const { logger, end } = winstonFileLogger(join(root, "winston.log"));
    const dir = join(root, "logs");
    const audit = createAuditTrail({ dir, onWritten: (entries) => entries.forEach((e) => logger.info(e.action, { audit: e })) });
    const recorded = await Promise.all(Array.from({ length: 25 }, (_, i) => audit.security.event({ action: "probe.ran", tenant: "EUR", data: { i } })));
    await audit.close();
    await end();
    const forwarded = readFileSync(join(root, "winston.log"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { level: string; message: string; audit: AuditEntry });
    const onDisk = trailLines(dir);
    expect(onDisk).toHaveLength(26);
    expect(forwarded.map((f) => f.audit)).toEqual(onDisk);
    expect(forwarded.map((f) => f.message)).toEqual(["audit.chain.started", ...recorded.map(() => "probe.ran")]);
    expect(forwarded.every((f) => f.level === "info")).toBe(true);
  });

  it("keeps writing when the forwarder throws: record() resolves, the trail is whole, a warning says so", async () => {
    const warnings: string[] = [];
    const dir = join(root, "logs");
    const audit = createAuditTrail({ dir, onWarning: (m) => warnings.push(m), onWritten: () => { throw new Error("transport down"); } });
    const entry = await audit.admin.action({ action: "config.changed", tenant: "EUR" });
    await audit.close();
    expect(entry.seq).toBe(2);
    expect(trailLines(dir).map((e) => e.seq)).toEqual([1, 2]);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toContain("onWritten threw (the entries are written): transport down");
  });

  it("rejects an onWritten that is not a function", () => {
    expect(() => createAuditTrail({ dir: join(root, "logs"), onWritten: "winston" as never })).toThrow(expect.objectContaining({ code: "E_OPTION_INVALID", message: expect.stringContaining("onWritten must be a function") }));
    expect(() => createMonitoring({ cwd: root, onAuditWritten: {} as never })).toThrow(expect.objectContaining({ code: "E_OPTION_INVALID", message: expect.stringContaining('"onAuditWritten" must be a function') }));
  });

  it("createMonitoring passes onAuditWritten to its trail", async () => {
    const seen: string[] = [];
    const monitoring = createMonitoring({ cwd: root, config: { audit: { dir: "logs" } }, onAuditWritten: (entries) => seen.push(...entries.map((e) => e.action)) });
    try {
      await monitoring.audit?.admin.action({ action: "config.changed", tenant: "EUR" });
      await monitoring.audit?.flush();
      expect(seen).toEqual(["audit.chain.started", "config.changed"]);
    } finally {
      await monitoring.close();
    }
  });
});
