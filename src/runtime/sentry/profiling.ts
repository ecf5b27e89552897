import { createRequire } from "node:module";
import { join } from "node:path";

/**
 * CPU profiling through @sentry/profiling-node, an optional peer: loaded only when
 * `sentry.profiling` is on, synchronously (so a CommonJS instrument still starts Sentry before
 * the app's next require), from the host project first and then from where monwire is installed.
 * Its native module ships prebuilt for Linux/macOS/Windows on x64/arm64 per Node ABI; where none
 * fits, or the package is missing, profiling stays off with one line saying why — the app and
 * the rest of Sentry are unaffected.
 */
interface ProfilingModule {
  nodeProfilingIntegration(): { name: string };
}

export type ProfilerLoad = { integration: { name: string } } | { off: string };

function tryRequire(from: string): ProfilingModule | { error: unknown } {
  try {
    return createRequire(from)("@sentry/profiling-node") as ProfilingModule;
  } catch (error) {
    return { error };
  }
}

export function loadProfiler(root: string, given?: object): ProfilerLoad {
  let loaded: ProfilingModule | { error: unknown } = given ? (given as ProfilingModule) : tryRequire(join(root, "package.json"));
  if ("error" in loaded) {
    const fallback = tryRequire(import.meta.url);
    if (!("error" in fallback)) loaded = fallback;
  }
  if ("error" in loaded) {
    const { code, message } = loaded.error as { code?: string; message?: string };
    const missing = code === "MODULE_NOT_FOUND" && /@sentry\/profiling-node/.test(message ?? "");
    return {
      off: missing
        ? "sentry.profiling is on but @sentry/profiling-node is not installed (npm install @sentry/profiling-node at the version of @sentry/node)"
        : `@sentry/profiling-node could not be loaded on ${process.platform}-${process.arch} Node ${process.versions.node}: ${message ?? String(loaded.error)}`,
    };
  }
  if (typeof loaded.nodeProfilingIntegration !== "function") return { off: "@sentry/profiling-node has no nodeProfilingIntegration(): install a version matching @sentry/node" };
  try {
    return { integration: loaded.nodeProfilingIntegration() };
  } catch (error) {
    return { off: `@sentry/profiling-node failed to start: ${(error as Error).message}` };
  }
}
