import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * A throwaway PostgreSQL cluster for tests: Debian's `postgresql` binaries, a fresh data dir in a
 * temp folder, 127.0.0.1 on an ephemeral port, the unix socket inside the temp folder, trust auth
 * for the `postgres` user. Tests skip locally when the binaries are absent and FAIL in CI
 * (CI=true), where .ci/run installs the `postgresql` package. PostgreSQL refuses to run as root,
 * so under root the cluster runs as `nobody`.
 */
const run = promisify(execFile);

export function findPgBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(base, version, "bin");
    if (existsSync(join(bin, "pg_ctl")) && existsSync(join(bin, "initdb"))) return bin;
  }
  return undefined;
}

export function postgresAvailable(): boolean {
  const bin = findPgBin();
  if (bin) return true;
  if (process.env.CI === "true") {
    throw new Error("PostgreSQL is required in CI (CI=true) but /usr/lib/postgresql/*/bin/pg_ctl was not found: .ci/run must install Debian's postgresql package");
  }
  return false;
}

export interface PostgresCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes the temp folder. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

function asOwner(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ["runuser", ["-u", "nobody", "--", bin, ...args]] : [bin, args];
}

/** `maxConnections`: the server's max_connections (default 30; the benches open more). */
export async function startPostgres(settings: { maxConnections?: number } = {}): Promise<PostgresCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error("PostgreSQL binaries not found under /usr/lib/postgresql");
  const dir = mkdtempSync(join(tmpdir(), "monwire-pg-"));
  const data = join(dir, "data");
  if (isRoot()) {
    const uid = Number(execFileSync("id", ["-u", "nobody"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "nobody"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const port = await freePort();
  const exec = async (tool: string, args: string[]) => {
    const [command, argv] = asOwner(join(bin, tool), args);
    await run(command, argv, { cwd: dir, timeout: 60_000 });
  };
  await exec("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=${settings.maxConnections ?? 30}`;
  const start = () => exec("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", options, "-w", "-t", "30", "start"]);
  // Fast mode: connected clients are disconnected at once, the way a crash looks to the app.
  const stop = () => exec("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "30", "stop"]);
  await start();
  let running = true;
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await stop();
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      if (running) await stop().catch(() => undefined);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs SQL through psql against the cluster (setup of test schemas). */
export async function psql(cluster: PostgresCluster, sql: string): Promise<string> {
  const bin = findPgBin()!;
  const { stdout } = await run(join(bin, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(cluster.port), "-U", "postgres", "-d", "postgres", "-At", "-c", sql], { timeout: 30_000 });
  return stdout;
}
