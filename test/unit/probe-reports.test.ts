import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { buildReport, type CheckResult, type Finding } from "../../src/probe/findings.js";
import { ANNOTATIONS_PER_LEVEL, STEP_SUMMARY_MAX_BYTES, escapeData, escapeProperty, renderGithub } from "../../src/cli/render-check-github.js";
import { renderHuman } from "../../src/cli/render-check-human.js";
import { renderJson } from "../../src/cli/render-check-json.js";
import { renderJunit } from "../../src/cli/render-check-junit.js";

const finding = (severity: Finding["severity"], message: string, extra: Partial<Finding> = {}): Finding => ({ rule: "test", severity, message, ...extra });
const check = (id: string, status: CheckResult["status"], findings: Finding[] = [], extra: Partial<CheckResult> = {}): CheckResult => ({
  id, group: id.split(".")[0] as CheckResult["group"], title: `title of ${id}`, status, summary: `summary of ${id}`, findings, ...extra,
});

const report = buildReport([
  check("metrics.scrape", "pass"),
  check("metrics.promlint", "fail", [finding("error", 'counter metrics should have "_total" suffix', { family: "a<b>&c", hint: "Rename it." })], { hint: 'Fix "it" & <more>' }),
  check("metrics.rules", "warn", [finding("warning", "long value \u0001 with a control character")]),
  check("sentry.online", "skip", [], { skipReason: "requested", summary: "pass --online" }),
  check("audit.dir", "skip", [], { skipReason: "unavailable", summary: "app down" }),
]);

/** A small XML 1.0 well-formedness check: one root, balanced tags, quoted attributes, valid entities. */
function parseXml(xml: string): { name: string; attrs: Record<string, string>; children: unknown[]; text: string } {
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, "");
  type Node = { name: string; attrs: Record<string, string>; children: Node[]; text: string };
  const root: Node = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: Node[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < body.length) {
    if (body[i] === "<") {
      tag.lastIndex = i;
      const m = tag.exec(body);
      if (!m) throw new Error(`malformed tag at ${i}: ${body.slice(i, i + 40)}`);
      const [all, close, name, attrText, selfClose] = m as unknown as [string, string, string, string, string];
      if (close) {
        const open = stack.pop();
        if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      } else {
        const attrs: Record<string, string> = {};
        for (const a of attrText.matchAll(/([\w.-]+)="([^"]*)"/g)) {
          if (attrs[a[1] as string] !== undefined) throw new Error(`duplicate attribute ${a[1]}`);
          attrs[a[1] as string] = a[2] as string;
        }
        const node: Node = { name, attrs, children: [], text: "" };
        (stack[stack.length - 1] as Node).children.push(node);
        if (!selfClose) stack.push(node);
      }
      i += all.length;
    } else {
      const end = body.indexOf("<", i);
      const text = body.slice(i, end === -1 ? body.length : end);
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`bad entity in ${JSON.stringify(text)}`);
      if (/[\x00-\x08\x0B\x0C\x0E-\x1F]/.test(text)) throw new Error("control character in text");
      (stack[stack.length - 1] as Node).text += text;
      i += text.length;
    }
  }
  for (const node of [root, ...root.children]) {
    for (const value of Object.values(node.attrs)) if (/&(?!(amp|lt|gt|quot|apos);)/.test(value)) throw new Error(`bad entity in attribute ${value}`);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (root.children.length !== 1) throw new Error("not exactly one root element");
  return root.children[0] as Node;
}

describe("junit report", () => {
  it.each([
    ["<a>&</a>"], ["<a><b></a>"], ['<a x="1" x="2"/>'], ["<a/><b/>"], ["<a>\u0001</a>"], ['<a x="<"/>'], ["<a>"],
  ])("the well-formedness check itself rejects %j", (xml) => {
    expect(() => parseXml(xml)).toThrow();
  });

  it("is well-formed JUnit XML with one testcase per check and counts that add up", () => {
    const xml = renderJunit(report, false);
    const root = parseXml(xml) as { name: string; attrs: Record<string, string>; children: Array<{ name: string; attrs: Record<string, string>; children: Array<{ name: string; attrs: Record<string, string>; children: Array<{ name: string; attrs: Record<string, string>; text: string }> }> }> };
    expect(root.name).toBe("testsuites");
    expect(root.attrs).toMatchObject({ tests: "5", failures: "1", errors: "0", skipped: "2" });
    expect(root.children.map((s) => [s.name, s.attrs.name, s.attrs.tests])).toEqual([
      ["testsuite", "mon check metrics", "3"], ["testsuite", "mon check sentry", "1"], ["testsuite", "mon check audit", "1"],
    ]);
    const cases = root.children.flatMap((s) => s.children);
    expect(cases.every((c) => c.name === "testcase" && c.attrs.classname?.startsWith("monwire."))).toBe(true);
    const promlint = cases.find((c) => c.attrs.name?.startsWith("metrics.promlint"));
    expect(promlint?.children[0]?.name).toBe("failure");
    expect(promlint?.children[0]?.attrs.message).toBe("summary of metrics.promlint");
    expect(promlint?.children[0]?.text).toContain("a&lt;b&gt;&amp;c: counter metrics should have &quot;_total&quot; suffix");
    expect(cases.filter((c) => c.children[0]?.name === "skipped")).toHaveLength(2);
    expect(cases.find((c) => c.attrs.name?.startsWith("metrics.rules"))?.children[0]?.name).toBe("system-out");
    expect(xml).not.toContain("\u0001");
  });

  it("fails warnings and forced skips under --strict, but not skips that were asked for", () => {
    const root = parseXml(renderJunit(report, true)) as { attrs: Record<string, string> };
    expect(root.attrs).toMatchObject({ tests: "5", failures: "3", skipped: "1" });
  });
});

describe("github report", () => {
  const many = buildReport([
    check("metrics.promlint", "fail", Array.from({ length: 25 }, (_, i) => finding("error", `problem ${i}`, { family: `f${i}` }))),
    check("metrics.rules", "warn", Array.from({ length: 15 }, (_, i) => finding("warning", `warning ${i}`))),
    check("audit.permissions", "fail", [finding("error", "50% of files, world-readable\nsecond line", { file: "logs/a,b:c.log", line: 3 })]),
  ]);

  it("emits at most 10 error and 10 warning annotations and puts everything in the step summary", () => {
    const github = renderGithub(many, false);
    const lines = github.annotations.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("::error ")).length).toBe(ANNOTATIONS_PER_LEVEL);
    expect(lines.filter((l) => l.startsWith("::warning ")).length).toBe(ANNOTATIONS_PER_LEVEL);
    expect(lines).toHaveLength(20);
    expect(github.dropped).toBe(21);
    for (let i = 0; i < 25; i++) expect(github.summary).toContain(`f${i}: problem ${i}`);
    for (let i = 0; i < 15; i++) expect(github.summary).toContain(`warning ${i}`);
  });

  it("escapes workflow-command data and properties", () => {
    expect(escapeData("50%\r\nx")).toBe("50%25%0D%0Ax");
    expect(escapeProperty("a,b:c%")).toBe("a%2Cb%3Ac%25");
    const only = renderGithub(buildReport([many.checks[2] as CheckResult]), false);
    expect(only.annotations).toBe("::error title=mon check%3A title of audit.permissions,file=logs/a%2Cb%3Ac.log,line=3::50%25 of files, world-readable%0Asecond line\n");
  });

  it("keeps the step summary within GitHub's 1 MiB", () => {
    const huge = buildReport([check("metrics.rules", "fail", Array.from({ length: 3000 }, (_, i) => finding("error", `${"x".repeat(500)} ${i}`)))]);
    const github = renderGithub(huge, false);
    expect(Buffer.byteLength(github.summary)).toBeLessThanOrEqual(STEP_SUMMARY_MAX_BYTES);
    expect(github.summary).toContain("Summary truncated");
  });
});

describe("human and json reports", () => {
  it("prints ✓ ✗ ! - per check, the findings behind a failure and the fix", () => {
    const text = renderHuman(report, { color: new Chalk({ level: 0 }), strict: false });
    expect(text).toContain("  ✓ title of metrics.scrape — summary of metrics.scrape");
    expect(text).toContain("  ✗ title of metrics.promlint — summary of metrics.promlint\n      a<b>&c: counter metrics should have \"_total\" suffix\n        → Rename it.\n    fix: Fix \"it\" & <more>");
    expect(text).toContain("  ! title of metrics.rules");
    expect(text).toContain("  - title of sentry.online — skipped: pass --online");
    expect(text).toContain("1 passed, 1 failed, 1 warning, 2 skipped");
  });

  it("prints exactly one JSON document with ok reflecting --strict", () => {
    expect(JSON.parse(renderJson(report, false))).toMatchObject({ tool: "monwire", ok: false, counts: { pass: 1, fail: 1, warn: 1, skip: 2 } });
    const passing = buildReport([check("metrics.scrape", "pass"), check("metrics.rules", "warn")]);
    expect(JSON.parse(renderJson(passing, false)).ok).toBe(true);
    expect(JSON.parse(renderJson(passing, true)).ok).toBe(false);
  });
});
