import { execa } from "execa";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripRegions } from "../../src/scaffold/regions.js";
import { copyFixture, FIXTURES, runMon } from "../helpers/cli.js";
import { parseExposition, sampleValue, seriesOf } from "../helpers/exposition.js";
import { INIT_ARGS } from "../helpers/host-flow.js";
import { cachedNodeModules, linkNodeModules, packMonwire, startScript } from "../helpers/host-app.js";
import { postgresAvailable, psql, startPostgres, type PostgresCluster } from "../helpers/postgres.js";
import { promtoolAvailable } from "../helpers/promtool.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";

/**
 * `mon init --yes` on apps that talk to a real PostgreSQL (node-postgres directly, and drizzle
 * over a pg Pool), with no other edit to their code: exact query counts per verb and tenant,
 * errors by SQLSTATE class, database_up following the server down and back up while the app keeps
 * serving, and no SQL parameter value in metrics, audit lines or Sentry envelopes.
 */
const available = postgresAvailable();

interface Step {
  method: string;
  path: string;
  tenant: string;
  body?: Record<string, unknown>;
  status: number;
}

interface DbFixture {
  fixture: string;
  dbFile: string;
  client: string;
  build?: string[];
  traffic: Step[];
  /** "operation,tenant" → count of db_query_duration_seconds after the traffic. */
  counts: Record<string, number>;
  errors: Record<string, number>;
  /** A request that needs the database, to show it fails cleanly while it is down and works after. */
  probeRoute: Step;
  canary: string;
}

const CANARY_PG = "canary-owner-5521";
const CANARY_DRIZZLE = "CANARY-KEY-9911";

const FIXTURES_UNDER_TEST: DbFixture[] = [
  {
    fixture: "host-pg",
    dbFile: "server/db.ts",
    client: "pg",
    build: ["npm", "run", "build"],
    canary: CANARY_PG,
    traffic: [
      { method: "POST", path: "/api/wallets", tenant: "EUR", body: { owner: "eur-1" }, status: 201 },
      { method: "POST", path: "/api/wallets", tenant: "EUR", body: { owner: CANARY_PG }, status: 201 },
      { method: "GET", path: "/api/wallets/1", tenant: "EUR", status: 200 },
      { method: "POST", path: "/api/wallets/1/deposit", tenant: "EUR", body: { amountMinor: 990 }, status: 200 },
      { method: "DELETE", path: "/api/wallets/2", tenant: "EUR", status: 204 },
      { method: "POST", path: "/api/wallets", tenant: "KM", body: { owner: "km-1" }, status: 201 },
      { method: "POST", path: "/api/wallets", tenant: "KM", body: { owner: "km-1" }, status: 500 },
      { method: "GET", path: "/api/wallets/3", tenant: "KM", status: 200 },
      { method: "GET", path: "/api/wallets/3", tenant: "KM", status: 200 },
      { method: "GET", path: "/api/wallets/3", tenant: "KM", status: 200 },
    ],
    counts: {
      "insert,EUR": 2, "select,EUR": 2, "update,EUR": 1, "begin,EUR": 1, "commit,EUR": 1, "delete,EUR": 1,
      "insert,KM": 2, "select,KM": 3, "other,none": 1,
    },
    errors: { "code=23,operation=insert,tenant=KM": 1 },
    probeRoute: { method: "GET", path: "/api/wallets/1", tenant: "EUR", status: 200 },
  },
  {
    fixture: "host-drizzle",
    dbFile: "src/db.js",
    client: "drizzle-pg",
    canary: CANARY_DRIZZLE,
    traffic: [
      { method: "POST", path: "/api/licenses", tenant: "EUR", body: { product: "pos", key: "K-1" }, status: 201 },
      { method: "POST", path: "/api/licenses", tenant: "EUR", body: { product: "pos", key: CANARY_DRIZZLE }, status: 201 },
      { method: "GET", path: "/api/licenses/1", tenant: "EUR", status: 200 },
      { method: "PATCH", path: "/api/licenses/1", tenant: "EUR", body: { seats: 5 }, status: 200 },
      { method: "POST", path: "/api/licenses", tenant: "KM", body: { product: "pro", key: "K-3" }, status: 201 },
      { method: "DELETE", path: "/api/licenses/3", tenant: "KM", status: 204 },
      { method: "GET", path: "/api/reports/seats", tenant: "KM", status: 500 },
    ],
    counts: { "insert,EUR": 2, "select,EUR": 1, "update,EUR": 1, "insert,KM": 1, "delete,KM": 1, "select,KM": 1, "other,none": 1 },
    errors: { "code=42,operation=select,tenant=KM": 1 },
    probeRoute: { method: "GET", path: "/api/licenses/1", tenant: "EUR", status: 200 },
  },
];

async function send(base: string, step: Step): Promise<Response> {
  return fetch(`${base}${step.path}`, {
    method: step.method,
    headers: { "x-shop": step.tenant, ...(step.body ? { "content-type": "application/json" } : {}) },
    ...(step.body ? { body: JSON.stringify(step.body) } : {}),
  });
}

type StreamedSpan = { name?: string; attributes?: Record<string, { value?: unknown }> };

/** Spans from SDK 11's streamed span items (`{ version: 2, items: [...] }`) that the SDK marks as database spans. */
function dbSpans(payloads: unknown[]): StreamedSpan[] {
  return payloads
    .flatMap((p) => ((p as { items?: StreamedSpan[] }).items ?? []))
    .filter((span) => attribute(span, "sentry.op") === "db" && attribute(span, "db.query.text") !== undefined);
}

function attribute(span: StreamedSpan, name: string): unknown {
  return span.attributes?.[name]?.value;
}

function readTree(dir: string): string {
  if (!existsSync(dir)) return "";
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
}

describe.skipIf(!available)("mon init on apps using PostgreSQL", () => {
  let cluster: PostgresCluster;
  let receiver: SentryReceiver;
  let tarball: string;

  beforeAll(async () => {
    [cluster, receiver, tarball] = await Promise.all([startPostgres(), startSentryReceiver(), packMonwire()]);
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await cluster?.destroy();
  });

  describe.each(FIXTURES_UNDER_TEST)("$fixture", (spec) => {
    let app: string;
    let cleanup: () => Promise<void>;
    let original: string;

    beforeAll(async () => {
      const cache = await cachedNodeModules(spec.fixture, INIT_ARGS.slice(1), tarball);
      ({ dir: app, cleanup } = await copyFixture(spec.fixture));
      original = readFileSync(join(FIXTURES, spec.fixture, spec.dbFile), "utf8");
      const result = await runMon([...INIT_ARGS, "--skip-install", "--monwire-from", tarball, "--json"], { cwd: app });
      expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
      const doc = JSON.parse(String(result.stdout)) as { project: { database?: { client: string; site?: { file: string } } } };
      expect(doc.project.database).toMatchObject({ client: spec.client, site: { file: spec.dbFile } });
      linkNodeModules(cache, app);
      // Tracing on and every query "slow", so spans and slow-query breadcrumbs reach the receiver.
      const configFile = join(app, "mon.config.json");
      const config = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, Record<string, unknown>>;
      expect(config.database).toEqual({ client: spec.client, probe: true, slowQueryMs: 200 });
      config.sentry!.tracesSampleRate = 1;
      config.database!.slowQueryMs = 1;
      writeFileSync(configFile, JSON.stringify(config, null, 2));
      if (spec.build) {
        const built = await execa(spec.build[0]!, spec.build.slice(1), { cwd: app, reject: false, env: { PATH: `${join(app, "node_modules", ".bin")}:${process.env.PATH}` } });
        expect(built.exitCode, `${built.stdout}\n${built.stderr}`).toBe(0);
      }
      await psql(cluster, `CREATE DATABASE ${spec.fixture.replace("-", "_")}`);
    }, 300_000);
    afterAll(async () => cleanup?.());

    it("changes the pool's file only inside monwire's regions, next to where the pool is created", () => {
      const wired = readFileSync(join(app, spec.dbFile), "utf8");
      expect(stripRegions(wired)).toBe(original);
      expect(wired).toMatch(/\/\/ monwire:begin database\n\s*monitorDatabase\(\w+\);\n\/\/ monwire:end database/);
    });

    it("counts queries per verb and tenant, errors by SQLSTATE class, and follows the database down and up", async () => {
      const url = `${cluster.url.replace(/\/postgres$/, "")}/${spec.fixture.replace("-", "_")}`;
      const started = await startScript(app, "start", { DATABASE_URL: url, SENTRY_DSN: receiver.dsn(), NODE_ENV: "production" });
      try {
        for (const step of spec.traffic) {
          const response = await send(started.url, step);
          expect(response.status, `${step.method} ${step.path}: ${await response.text()}`).toBe(step.status);
        }
        const scrape = async () => {
          const response = await fetch(`${started.url}/metrics`);
          expect(response.status).toBe(200);
          return response.text();
        };
        const body = await scrape();
        const exposition = parseExposition(body);
        const counts = Object.fromEntries([...seriesOf(exposition, "db_query_duration_seconds_count")].map(([key, value]) => [key.replace(/operation=(\w+),tenant=(\w+)/, "$1,$2"), value]));
        expect(counts).toEqual(spec.counts);
        expect(Object.fromEntries(seriesOf(exposition, "db_query_errors_total"))).toEqual(spec.errors);
        expect(sampleValue(exposition, "database_up")).toBe(1);
        expect(sampleValue(exposition, "db_pool_max_connections")).toBe(5);
        expect(sampleValue(exposition, "db_pool_pending_acquires")).toBe(0);
        if (promtoolAvailable()) {
          const lint = await execa("promtool", ["check", "metrics"], { input: body, reject: false });
          const problems = `${lint.stdout}${lint.stderr}`.split("\n").filter((l) => /^db_|^database_/.test(l));
          expect(problems).toEqual([]);
        }

        await cluster.stop();
        try {
          expect(sampleValue(parseExposition(await scrape()), "database_up")).toBe(0);
          // The app keeps serving: a database route fails cleanly, the process stays up.
          expect((await send(started.url, spec.probeRoute)).status).toBe(500);
          expect(started.child.exitCode).toBeNull();
        } finally {
          await cluster.start();
        }
        expect(sampleValue(parseExposition(await scrape()), "database_up")).toBe(1);
        expect((await send(started.url, spec.probeRoute)).status).toBe(spec.probeRoute.status);

        // Canary: the parameter value never leaves the process as telemetry.
        const segment = `${spec.traffic[0]!.method} ${spec.traffic[0]!.path}`;
        await receiver.waitFor((e) => e.items.some((i) => i.header.type === "span" && dbSpans([i.payload]).some((span) => attribute(span, "sentry.segment.name") === segment)), 15_000);
        expect(await scrape()).not.toContain(spec.canary);
        expect(readTree(join(app, "logs"))).not.toContain(spec.canary);
        expect(receiver.allText()).not.toContain(spec.canary);
      } finally {
        await started.stop();
      }
    }, 120_000);
  });

  it("brings the SDK's own DB spans into the requests' traces and slow-query breadcrumbs with the statement shape only", () => {
    const spans = dbSpans(receiver.items("span"));
    const insert = spans.find((span) => attribute(span, "sentry.segment.name") === "POST /api/wallets" && attribute(span, "db.operation.name") === "INSERT");
    expect(insert, JSON.stringify(spans.map((span) => span.name))).toBeDefined();
    expect(attribute(insert!, "db.query.text")).toBe("INSERT INTO wallets (owner) VALUES ($1) RETURNING id");
    const drizzleInsert = spans.find((span) => attribute(span, "sentry.segment.name") === "POST /api/licenses");
    expect(attribute(drizzleInsert!, "db.query.text")).toMatch(/^insert into "licenses"/);

    const events = receiver.items("event") as Array<{ breadcrumbs?: Array<{ category?: string; message?: string; data?: Record<string, unknown> }> }>;
    const crumbs = events.flatMap((e) => e.breadcrumbs ?? []).filter((b) => b.category === "db.slow_query");
    expect(crumbs.map((b) => b.message)).toContain("INSERT INTO wallets (owner) VALUES ($1) RETURNING id");
    expect(crumbs.find((b) => b.message?.startsWith("INSERT"))!.data).toMatchObject({ operation: "insert", tenant: "KM", threshold_ms: 1 });
    // Literals in statement text are replaced too, not only parameters.
    expect(crumbs.map((b) => b.message)).toContain("CREATE TABLE IF NOT EXISTS wallets (id serial PRIMARY KEY, owner text NOT NULL UNIQUE, balance_minor bigint NOT NULL DEFAULT ?)");
  });
});
