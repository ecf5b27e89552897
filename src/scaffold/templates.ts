import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import type { SessionStoreWire } from "./detect-sessions.js";
import type { InitAnswers, ProjectInfo } from "./types.js";

/**
 * The thin files `mon init` writes into the host, rendered from templates/. They import
 * monwire/runtime and hold no logic, so upgrading monwire upgrades every host.
 */
export const TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

export interface RenderedFile {
  path: string;
  content: string;
  reason: string;
}

interface TemplateSpec {
  id: "sentry" | "monitoring" | "prometheus" | "audit";
  /** Target path below the server folder, without extension. */
  target: string;
  reason: string;
  when: (answers: InitAnswers) => boolean;
}

const TEMPLATE_SPECS: TemplateSpec[] = [
  { id: "sentry", target: "monitoring/sentry", reason: "Sentry instrument, loaded before the app", when: (a) => a.sentry },
  { id: "monitoring", target: "middleware/monitoring", reason: "createMonitoring(): metrics, audit trail, error handler", when: () => true },
  { id: "prometheus", target: "monitoring/prometheus", reason: "metric registry for custom metrics", when: (a) => a.metrics },
  { id: "audit", target: "monitoring/audit", reason: "audit trail and business-event helpers", when: (a) => a.audit },
];

/** Which template flavour fits the host: language × module system. */
export function templateFlavor(project: Pick<ProjectInfo, "language" | "moduleSystem">): string {
  return `${project.language}-${project.moduleSystem}`;
}

export function renderTemplate(name: string, variables: Record<string, string>): string {
  const text = readFileSync(posix.join(TEMPLATES_DIR.replace(/\\/g, "/"), name), "utf8");
  return text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = variables[key];
    if (value === undefined) throw new Error(`template ${name} uses {{${key}}} but no value was given`);
    return value;
  });
}

/** Path (relative to the root) where a generated source file goes: server folder + target + the entry's extension. */
export function sourcePath(project: Pick<ProjectInfo, "serverDir" | "sourceExtension">, target: string): string {
  return posix.normalize(posix.join(project.serverDir, `${target}${project.sourceExtension}`));
}

/**
 * The createMonitoring() argument: empty, or a sessionSource reaching the app's exported session
 * store. The import is lazy (called at scrape time) so the monitoring file, which the entry loads
 * first, never loads the app's modules early or in a cycle; the specifier is relative like the
 * entry's import of this file, so it holds in the source tree, a tsc build and a bundle alike.
 */
export function monitoringOptions(project: Pick<ProjectInfo, "serverDir" | "sourceExtension" | "importExtension" | "language" | "moduleSystem">, store?: SessionStoreWire): string {
  if (!store) return "";
  const from = posix.dirname(sourcePath(project, "middleware/monitoring"));
  const ext = posix.extname(store.file);
  const relative = posix.relative(from, store.file.slice(0, store.file.length - ext.length));
  const runtimeExt = project.importExtension === "" ? "" : ext.replace("t", "j").replace(/x$/, "");
  const specifier = JSON.stringify(`${relative.startsWith(".") ? "" : "./"}${relative}${runtimeExt}`);
  const load = project.language === "js" && project.moduleSystem === "cjs" ? `() => require(${specifier}).${store.name}` : `() => import(${specifier}).then((m) => m.${store.name})`;
  return [
    "{",
    "  // active_user_sessions is read from the app's session store at each scrape. Loaded lazily, so",
    "  // this file never imports the app's modules while they are still loading.",
    `  sessionSource: ${load},`,
    "}",
  ].join("\n");
}

/** The runtime wiring files for this host and these answers. */
export function renderSourceFiles(project: ProjectInfo, answers: InitAnswers, store?: SessionStoreWire): RenderedFile[] {
  const flavor = templateFlavor(project);
  const templateExt = project.language === "ts" ? ".ts" : ".js";
  return TEMPLATE_SPECS.filter((spec) => spec.when(answers)).map((spec) => ({
    path: sourcePath(project, spec.target),
    content: renderTemplate(`${flavor}/${spec.id}${templateExt}`, { ext: project.importExtension, options: spec.id === "monitoring" ? monitoringOptions(project, store) : "" }),
    reason: spec.reason,
  }));
}
