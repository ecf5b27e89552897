// What `npm run bench` decides before and after running: whether the tools the chosen benchmarks
// shell out to are installed (checked first, so a long run never dies half-way on a missing jq),
// and whether every target of the benchmarks that ran was met (a miss makes the run fail).
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/** Exit codes, as the CLI documents them: 1 = a target was missed, 2 = cannot run (usage, missing tool), 70 = a benchmark crashed. */
export const EXIT = { ok: 0, missed: 1, usage: 2, crashed: 70 };

/** External tools per benchmark, each with the Debian package that provides it. */
export const TOOLS = {
  jq: { package: "jq", why: "the equivalent aggregation mon report is compared with" },
  "/usr/bin/time": { package: "time", why: "peak RSS and CPU time of the measured commands" },
  valgrind: { package: "valgrind", why: "instruction counts per request (callgrind)" },
  openssl: { package: "openssl", why: "the SHA-256 hashing floor mon verify is compared with" },
};
export const REQUIRES = {
  report: ["jq", "/usr/bin/time"],
  verify: ["/usr/bin/time", "openssl"],
  middleware: ["valgrind"],
  rules: ["valgrind"],
};

/** True when `tool` (a name looked up on PATH, or an absolute path) is an executable file. */
export function isInstalled(tool, path = process.env.PATH ?? "") {
  const candidates = isAbsolute(tool) ? [tool] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, tool));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The tools the named benchmarks need that are not installed: [{tool, package, why, neededBy}]. */
export function missingTools(benches, installed = isInstalled) {
  const needed = new Map();
  for (const bench of benches) for (const tool of REQUIRES[bench] ?? []) needed.set(tool, [...(needed.get(tool) ?? []), bench]);
  return [...needed].filter(([tool]) => !installed(tool)).map(([tool, neededBy]) => ({ tool, ...TOOLS[tool], neededBy }));
}

/** One message naming every missing tool, what needs it and how to install it. */
export function describeMissing(missing) {
  const lines = missing.map((m) => `  ${m.tool} — ${m.why} (needed by: ${m.neededBy.join(", ")}); install: apt-get install ${m.package}`);
  const all = [...new Set(missing.map((m) => m.package))].join(" ");
  return `bench: cannot run, ${missing.length === 1 ? "a tool is" : "tools are"} missing:\n${lines.join("\n")}\nInstall ${missing.length === 1 ? "it" : "them"} (sudo apt-get install ${all}) or name only the benchmarks you can run: node bench/run.js NAME…\n`;
}

/**
 * Targets not met by the named benchmarks' results: [{bench, name, value}]. A target counts as
 * met only when it says `ok: true`; a benchmark that ran but left no result is a miss as well.
 */
export function missedTargets(store, benches) {
  return benches.flatMap((bench) => {
    const result = store[bench];
    if (!result) return [{ bench, name: "the benchmark produced a result", value: "none" }];
    return (result.targets ?? []).filter((t) => t.ok !== true).map((t) => ({ bench, name: t.name, value: String(t.value) }));
  });
}

/** The verdict line(s) for stderr, and the exit code. */
export function verdict(store, benches) {
  const missed = missedTargets(store, benches);
  const met = benches.reduce((sum, bench) => sum + (store[bench]?.targets ?? []).filter((t) => t.ok === true).length, 0);
  if (missed.length === 0) return { code: EXIT.ok, text: `bench: all ${met} targets met (${benches.join(", ")})\n` };
  const lines = missed.map((m) => `  ✗ ${m.bench}: ${m.name} — measured ${m.value}`);
  return { code: EXIT.missed, text: `bench: ${missed.length} target${missed.length === 1 ? "" : "s"} missed (${met} met):\n${lines.join("\n")}\n` };
}
