// Splits a callgrind profile of a Node process into garbage collection, compilation and the rest.
// On Node 24 a 6,000-request window's total is decided by whether a major-GC marking step lands in
// it (tens of thousands of instructions per request, in bare and monwire alike), and which functions
// the optimizing compiler picks up moves the count by several thousand more; the part outside both
// is what the code under test changes. Classified by V8's C++ symbol names in callgrind_annotate's
// per-function listing; JIT-generated code and builtins count as "rest".
import { spawnSync } from "node:child_process";

/** V8's collector: marking, scavenging, evacuation, sweeping, remembered sets and their visitors. */
const GC = /v8::internal::.*(?:Mark(?:ing|Compact|er|Bit)|Scaveng|Evacuat|Sweep|RememberedSet|SlotSet|MinorMS|GCTracer|IterateObjectCache|RecordMigrated|Heap::|HeapObject(?:Layout)?::SizeFromMap)|heap::base::/;
/** V8's compilers and parser: Turbofan (compiler::), Maglev, Sparkplug's compiler, the bytecode generator. */
const JIT = /v8::internal::(?:compiler::|maglev::|baseline::|interpreter::BytecodeGenerator|Compiler::|OptimizingCompileDispatcher|Parser::|Scanner::|Deoptimizer)/;

/**
 * Instructions per request by part, from callgrind_annotate's per-function listing.
 * @param {string} listing  callgrind_annotate's output
 * @param {number} requests  the requests counted in the profile
 * @returns {{ gc: number, jit: number, rest: number }}
 */
export function splitListing(listing, requests) {
  const parts = { gc: 0, jit: 0, rest: 0 };
  for (const line of listing.split("\n")) {
    const match = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!match || match[2].includes("PROGRAM TOTALS")) continue;
    const count = Number(match[1].replaceAll(",", ""));
    const name = match[2];
    if (GC.test(name)) parts.gc += count;
    else if (JIT.test(name)) parts.jit += count;
    else parts.rest += count;
  }
  return { gc: parts.gc / requests, jit: parts.jit / requests, rest: parts.rest / requests };
}

/**
 * Instructions per request by part of a callgrind output file, or undefined when
 * callgrind_annotate (valgrind's) cannot read it.
 * @param {string} file
 * @param {number} requests
 */
export function splitInstructions(file, requests) {
  const run = spawnSync("callgrind_annotate", ["--threshold=100", file], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return run.status === 0 ? splitListing(run.stdout, requests) : undefined;
}
