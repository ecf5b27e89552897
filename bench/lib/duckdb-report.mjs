#!/usr/bin/env node
// DuckDB's side of the report bench: `read_ndjson` of one audit day, then the same aggregations
// `mon report` computes (counts by category×outcome, tenant×outcome and action, hourly counts,
// money per tenant/currency/type, keys per product, failing IPs and accounts, listed events), on
// 2 threads. The day is read once into a temporary table, so every aggregation sees the same rows.
// Usage: node bench/lib/duckdb-report.mjs FILE [THREADS]. Prints the totals as one JSON line.
import { DuckDBInstance } from "@duckdb/node-api";

const [path, threads = "2"] = process.argv.slice(2);
if (!path) throw new Error("usage: duckdb-report.mjs FILE [THREADS]");
const instance = await DuckDBInstance.create(":memory:", { threads });
const db = await instance.connect();
const file = path.replaceAll("'", "''");
const columns = `{category:'VARCHAR', action:'VARCHAR', outcome:'VARCHAR', tenant:'VARCHAR', ts:'VARCHAR', ip:'VARCHAR',
  amount:'STRUCT(minor BIGINT, currency VARCHAR)', actor:'STRUCT(id VARCHAR, role VARCHAR, type VARCHAR)', data:'JSON'}`;
await db.run(`CREATE TEMP TABLE e AS SELECT * FROM read_ndjson('${file}', columns=${columns}, format='newline_delimited')`);
const queries = {
  category: `SELECT category, outcome, count(*) n FROM e GROUP BY ALL`,
  tenant: `SELECT tenant, outcome, count(*) n FROM e GROUP BY ALL`,
  action: `SELECT category, action, outcome, count(*) n FROM e GROUP BY ALL`,
  hourly: `SELECT substr(ts, 1, 13) AS hour_start, count(*) n FROM e GROUP BY ALL`,
  financial: `SELECT tenant, coalesce(amount.currency, 'XXX') currency, split_part(action, '.', -1) AS wallet_type, outcome, count(*) n,
    sum(CASE WHEN outcome = 'success' THEN coalesce(amount.minor, 0) ELSE 0 END) AS minor FROM e WHERE category = 'financial' GROUP BY ALL`,
  keys: `SELECT tenant, coalesce(data->>'product', 'unknown') product, sum(coalesce(CAST(data->>'count' AS BIGINT), 1)) n
    FROM e WHERE category = 'license' AND outcome = 'success' GROUP BY ALL`,
  ips: `SELECT coalesce(ip, '-') ip, count(*) n FROM e WHERE category = 'authentication' AND outcome = 'failure' GROUP BY ALL`,
  accounts: `SELECT coalesce(data->>'username', actor.id) account, count(*) n FROM e WHERE category = 'authentication' AND outcome = 'failure' GROUP BY ALL`,
  listed: `SELECT category, count(*) n FROM e WHERE category IN ('security', 'admin') GROUP BY ALL`,
};
const out = {};
for (const [name, sql] of Object.entries(queries)) out[name] = (await db.runAndReadAll(sql)).getRowObjectsJson().length;
out.total = Number((await db.runAndReadAll("SELECT count(*) n FROM e")).getRowObjectsJson()[0].n);
process.stdout.write(`${JSON.stringify(out)}\n`);
