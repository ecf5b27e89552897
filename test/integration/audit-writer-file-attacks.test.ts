import { once } from "node:events";
import { lstatSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURES, makeTempDir, runMon } from "../helpers/cli.js";
import { startProcess, type StartedProcess } from "../helpers/process.js";
import { waitForOutput } from "../helpers/runtime-app.js";
import { checkTrail } from "../fixtures/audit-writer/check-chain.js";

/**
 * Attacks on the day file by someone who can write the audit directory, against a real writer
 * process (test/fixtures/audit-writer/steady.mjs): a pre-created symlink, and the file deleted or
 * replaced while the app runs. Every acknowledged entry must be in the file on disk afterwards.
 */
const STEADY = join(FIXTURES, "audit-writer", "steady.mjs");
const temps: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of temps.splice(0)) await cleanup();
});

async function tempDir(): Promise<string> {
  const temp = await makeTempDir("monwire-audit-attack-");
  temps.push(temp.cleanup);
  return temp.dir;
}

const today = () => new Date().toISOString().slice(0, 10);

async function runWriter(dir: string, args: string[]): Promise<StartedProcess> {
  return startProcess(process.execPath, [STEADY, dir, ...args], { ready: /^writer [0-9a-f]+$/m });
}

async function finished(writer: StartedProcess): Promise<string> {
  if (writer.child.exitCode === null) await once(writer.child, "exit");
  expect(writer.child.exitCode, writer.output()).toBe(0);
  return writer.output();
}

const acked = (output: string) => [...output.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
const failures = (output: string) => [...output.matchAll(/^fail (.*)$/gm)].map((m) => m[1] as string);

describe("the audit writer against day-file attacks", () => {
  it("refuses a pre-created symlink as the day file: the link's target is untouched, every record rejects naming file and fix", async () => {
    const root = await tempDir();
    const dir = join(root, "logs");
    mkdirSync(dir);
    const victim = join(root, "victim.conf");
    writeFileSync(victim, "important=1\n");
    const dayFile = join(dir, `audit-${today()}.log`);
    symlinkSync(victim, dayFile);
    const output = await finished(await runWriter(dir, ["3", "1"]));
    expect(readFileSync(victim, "utf8")).toBe("important=1\n");
    expect(lstatSync(dayFile).isSymbolicLink()).toBe(true);
    expect(acked(output)).toEqual([]);
    const fails = failures(output);
    expect(fails).toHaveLength(3);
    for (const fail of fails) {
      expect(fail).toContain("E_AUDIT_WRITE");
      expect(fail).toContain(dayFile);
      expect(fail).toMatch(/symbolic link/);
      expect(fail).toMatch(/Remove the link/);
    }
    expect(output).toMatch(/^errors 3$/m);
  });

  it("creates the directory 0750 and day files 0640 by default, and the configured modes when given", async () => {
    const root = await tempDir();
    const byDefault = join(root, "a", "logs");
    await finished(await runWriter(byDefault, ["1", "1"]));
    expect(statSync(byDefault).mode & 0o777).toBe(0o750);
    expect(statSync(join(byDefault, `audit-${today()}.log`)).mode & 0o777).toBe(0o640);
    const strict = join(root, "b", "logs");
    await finished(await runWriter(strict, ["1", "1", "0600", "0700"]));
    expect(statSync(strict).mode & 0o777).toBe(0o700);
    expect(statSync(join(strict, `audit-${today()}.log`)).mode & 0o777).toBe(0o600);
  });

  it.each(["deleted", "replaced", "copied"] as const)("notices a day file %s mid-run before the next acknowledgement and loses nothing acknowledged", async (attack) => {
    const dir = join(await tempDir(), "logs");
    const writer = await runWriter(dir, ["60", "15"]);
    await waitForOutput(writer, /^ack 30$/m);
    const dayFile = join(dir, `audit-${today()}.log`);
    if (attack === "deleted") unlinkSync(dayFile);
    else {
      // "replaced": an empty file put in its place; "copied": a copy of it (cp + mv, an editor's save).
      writeFileSync(`${dayFile}.new`, attack === "copied" ? readFileSync(dayFile) : "");
      renameSync(`${dayFile}.new`, dayFile);
    }
    const action = attack === "deleted" ? "deleted" : "replaced";
    const output = await finished(writer);
    expect(failures(output)).toEqual([]);
    const acks = acked(output);
    expect(acks.length).toBe(60);

    const check = checkTrail(dir);
    expect(check.problems).toEqual([]);
    const [writerId] = [...check.byWriter.keys()];
    const onDisk = new Set((check.byWriter.get(writerId as string) ?? []).map((e) => e.seq));
    expect(acks.filter((seq) => !onDisk.has(seq))).toEqual([]);
    const events = check.entries.filter((e) => e.category === "security" && e.action.startsWith("audit.file."));
    expect(events.map((e) => e.action)).toEqual([`audit.file.${action}`]);
    expect(events[0]?.data).toMatchObject({ file: `audit-${today()}.log` });

    // The restored trail verifies intact, and verify says what happened to the file and when.
    const verify = await runMon(["verify", "--dir", dir]);
    expect(verify.exitCode, String(verify.stdout)).toBe(0);
    expect(String(verify.stdout)).toMatch(new RegExp(`^note: audit-${today()}\\.log line \\d+: writer ${writerId} recorded audit\\.file\\.${action} at .*\\(\\d+ line\\(s\\) restored\\)$`, "m"));
  });

  it("restores each writer's own lines when two processes share the deleted file", async () => {
    const dir = join(await tempDir(), "logs");
    const writers = await Promise.all([runWriter(dir, ["50", "15"]), runWriter(dir, ["50", "15"])]);
    await Promise.all(writers.map((w) => waitForOutput(w, /^ack 20$/m)));
    unlinkSync(join(dir, `audit-${today()}.log`));
    const outputs = await Promise.all(writers.map(finished));
    const check = checkTrail(dir);
    expect(check.problems).toEqual([]);
    for (const output of outputs) {
      expect(failures(output)).toEqual([]);
      const id = /^writer ([0-9a-f]+)$/m.exec(output)?.[1] as string;
      const onDisk = new Set((check.byWriter.get(id) ?? []).map((e) => e.seq));
      expect(acked(output).filter((seq) => !onDisk.has(seq))).toEqual([]);
    }
    // One event per writer: "deleted" when it found the path empty, "replaced" when the other
    // writer's new file was already there.
    const events = check.entries.filter((e) => e.action.startsWith("audit.file."));
    expect(events.map((e) => e.writer).sort()).toEqual([...check.byWriter.keys()].sort());
    for (const event of events) expect(event.action).toMatch(/^audit\.file\.(deleted|replaced)$/);
  });
});
