import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * How the host runs several processes: PM2 ecosystem files in cluster mode (or with more than one
 * instance). Each process keeps its own metrics; `mon init` says so and points to the fix
 * (createClusterMetrics, docs/metrics.md "Cluster and PM2").
 */
const ECOSYSTEM_FILES = ["ecosystem.config.js", "ecosystem.config.cjs", "ecosystem.config.mjs", "ecosystem.config.json", "ecosystem.json", "pm2.config.js", "process.json"];

export interface Pm2Ecosystem {
  file: string;
  /** exec_mode cluster, or instances other than 1. */
  clustered: boolean;
}

export function detectPm2Ecosystem(root: string): Pm2Ecosystem | undefined {
  for (const file of ECOSYSTEM_FILES) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, "utf8").slice(0, 100_000);
    const clusterMode = /exec_mode["']?\s*:\s*["']cluster(?:_mode)?["']/.test(text);
    const instances = /instances["']?\s*:\s*(["']?)(max|-?\d+)\1/.exec(text);
    const many = instances !== null && instances[2] !== "1";
    return { file, clustered: clusterMode || many };
  }
  return undefined;
}

/** Whether a source text uses Node's cluster module. */
export const usesNodeCluster = (text: string) => /(?:from\s+|require\s*\(\s*|import\s*\(\s*)["'](?:node:)?cluster["']/.test(text);

export function scaleOutNotes(info: { clusterUsage?: string; pm2Ecosystem?: Pm2Ecosystem }): string[] {
  const notes: string[] = [];
  const fix = "see \"Cluster and PM2\" in docs/metrics.md (node_modules/monwire/docs/metrics.md)";
  if (info.clusterUsage) {
    notes.push(`${info.clusterUsage} uses node:cluster: each worker counts only its own requests; serve the aggregate with createClusterMetrics() from monwire/runtime in the primary and every worker — ${fix}`);
  }
  if (info.pm2Ecosystem?.clustered) {
    notes.push(`${info.pm2Ecosystem.file} runs PM2 in cluster mode: a scrape reaches one instance; mount createClusterMetrics({ monitoring }).handler on the metrics path so any instance answers for all — ${fix}`);
  }
  return notes;
}
