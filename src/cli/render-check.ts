import { Chalk, type ChalkInstance } from "../vendor/chalk.js";
import type { ReportFormat } from "../probe/check-options.js";
import type { CheckReport } from "../probe/findings.js";
import { renderGithub } from "./render-check-github.js";
import { renderHuman } from "./render-check-human.js";
import { renderJson } from "./render-check-json.js";
import { renderJunit } from "./render-check-junit.js";

/** A rendered report: the text for stdout or --output, and for GitHub the step-summary Markdown. */
export interface RenderedReport {
  text: string;
  stepSummary?: string;
  /** Annotations left out because of GitHub's per-step limits (they are in the step summary). */
  droppedAnnotations?: number;
}

export function renderReport(report: CheckReport, format: ReportFormat, options: { color: ChalkInstance; strict: boolean }): RenderedReport {
  switch (format) {
    case "json":
      return { text: renderJson(report, options.strict) };
    case "junit":
      return { text: renderJunit(report, options.strict) };
    case "github": {
      const github = renderGithub(report, options.strict);
      // The log keeps the readable report under the annotations; workflow logs are not a TTY.
      const human = renderHuman(report, { color: new Chalk({ level: 0 }), strict: options.strict });
      return { text: github.annotations + human, stepSummary: github.summary, droppedAnnotations: github.dropped };
    }
    case "human":
      return { text: renderHuman(report, options) };
  }
}
