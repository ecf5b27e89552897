import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { MonwireError } from "../errors.js";

/**
 * Several instances for `mon check`: a Prometheus file_sd targets file (the generated
 * monitoring/targets.json, or any `[{ "targets": ["host:port"], "labels": {…} }]`) becomes one
 * metrics URL per target, with the configured metrics path.
 */
const usage = (message: string, hint: string) => new MonwireError("E_USAGE", message, { exitCode: 2, hint });

const HINT = 'Use a Prometheus file_sd JSON file: [{ "targets": ["127.0.0.1:5000", "10.0.0.2:5000"] }] (mon init writes monitoring/targets.json).';

export function readTargetsFile(file: string, cwd: string, metricsPath: string): string[] {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw usage(`--targets ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, "Pass the path of a targets file such as monitoring/targets.json.");
  }
  let groups: unknown;
  try {
    groups = JSON.parse(text);
  } catch (error) {
    throw usage(`--targets ${file}: not valid JSON (${(error as Error).message})`, HINT);
  }
  if (!Array.isArray(groups)) throw usage(`--targets ${file}: expected a JSON array of target groups`, HINT);
  const urls: string[] = [];
  groups.forEach((group, i) => {
    const targets = (group as { targets?: unknown } | null)?.targets;
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== "string" || !/^[^\s/]+:\d{1,5}$/.test(t))) {
      throw usage(`--targets ${file}: group ${i + 1} needs "targets": a list of "host:port" strings`, HINT);
    }
    for (const target of targets as string[]) urls.push(new URL(metricsPath, `http://${target}`).toString());
  });
  if (urls.length === 0) throw usage(`--targets ${file}: lists no target`, HINT);
  return [...new Set(urls)];
}
