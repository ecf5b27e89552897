import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
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

/** The runtime wiring files for this host and these answers. */
export function renderSourceFiles(project: ProjectInfo, answers: InitAnswers): RenderedFile[] {
  const flavor = templateFlavor(project);
  const templateExt = project.language === "ts" ? ".ts" : ".js";
  return TEMPLATE_SPECS.filter((spec) => spec.when(answers)).map((spec) => ({
    path: sourcePath(project, spec.target),
    content: renderTemplate(`${flavor}/${spec.id}${templateExt}`, { ext: project.importExtension }),
    reason: spec.reason,
  }));
}
