/** Work to finish before the process ends: flush Sentry, close the audit trail, close a pool. */
export type ShutdownHook = () => void | Promise<void>;

/** The parts of an http.Server (or anything like it) the shutdown uses. */
export interface ClosableServer {
  close(callback?: (error?: Error) => void): unknown;
  closeIdleConnections?(): void;
}

export interface ShutdownOptions {
  /** Upper bound for the whole shutdown; past it the process exits with code 1. Default 10 000. */
  timeoutMs?: number;
  /** Hooks run after the server has stopped (in-flight requests done), together with the process-wide ones. */
  onShutdown?: ShutdownHook[];
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  /** Where progress lines go (never secrets); default stderr, `false` for silence. */
  log?: ((line: string) => void) | false;
}

export interface ShutdownHandle {
  /** Starts the shutdown (as a signal would); every call returns the same promise. Resolves true when clean. */
  shutdown(reason?: string): Promise<boolean>;
  /** Removes the signal listeners (the shutdown itself, once started, continues). */
  uninstall(): void;
}

const processHooks = new Map<string, ShutdownHook>();

/**
 * Registers a hook for every shutdown in the process, under a name used in log lines (the Sentry
 * instrument file registers its flush before the app exists). Re-registering a name replaces it.
 * Returns the remove function.
 */
export function addShutdownHook(name: string, hook: ShutdownHook): () => void {
  processHooks.set(name, hook);
  return () => {
    if (processHooks.get(name) === hook) processHooks.delete(name);
  };
}

/** Stops accepting connections and resolves once every open request has completed. */
function closeServer(server: ClosableServer): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive connections become idle only after their current response; close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections?.(), 100);
    sweep.unref();
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections?.();
  });
}

/**
 * Installs graceful shutdown on SIGTERM/SIGINT: stop accepting, let in-flight requests finish, run
 * the hooks (flushers), then leave the process to exit by itself with `process.exitCode` 0 (1 when a
 * hook failed). If all that takes longer than `timeoutMs`, it exits with code 1; this is the only
 * forced exit. Repeated signals do not restart or shorten the shutdown.
 */
export function installShutdown(server: ClosableServer, options: ShutdownOptions = {}): ShutdownHandle {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const log = options.log === false ? () => {} : (options.log ?? ((line: string) => process.stderr.write(`monwire: ${line}\n`)));
  let running: Promise<boolean> | undefined;

  const run = async (reason: string): Promise<boolean> => {
    log(`${reason}: closing the server, then flushing (at most ${timeoutMs} ms)`);
    let finished = false;
    const deadline = setTimeout(() => {
      if (finished) {
        // Our work is done but something else (a timer, a pool) still holds the process.
        process.exit();
      }
      log(`shutdown did not finish within ${timeoutMs} ms; exiting with code 1`);
      process.exitCode = 1;
      process.exit(1);
    }, timeoutMs);

    await closeServer(server);
    const hooks: [string, ShutdownHook][] = [
      ...(options.onShutdown ?? []).map((hook, index): [string, ShutdownHook] => [`onShutdown[${index}]`, hook]),
      ...processHooks,
    ];
    const results = await Promise.allSettled(hooks.map(async ([, hook]) => hook()));
    let clean = true;
    results.forEach((result, index) => {
      if (result.status === "fulfilled") return;
      clean = false;
      const reasonText = result.reason instanceof Error ? result.reason.message : String(result.reason);
      log(`shutdown hook ${hooks[index]?.[0]} failed: ${reasonText}`);
    });
    finished = true;
    process.exitCode = clean ? 0 : 1;
    // From here the deadline only fires if the process would otherwise hang.
    deadline.unref();
    log(clean ? "shutdown complete" : "shutdown finished with errors");
    return clean;
  };

  const shutdown = (reason = "shutdown requested"): Promise<boolean> => {
    running ??= run(reason);
    return running;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (running) log(`${signal} received again; shutdown already in progress`);
    void shutdown(`${signal} received`);
  };
  for (const signal of signals) process.on(signal, onSignal);

  return {
    shutdown,
    uninstall: () => {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
