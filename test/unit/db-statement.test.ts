import { describe, expect, it } from "vitest";
import { errorCode, sqlOperation, statementShape } from "../../src/runtime/db/statement.js";

describe("sqlOperation", () => {
  it.each([
    ["SELECT 1", "select"],
    ["  select * from t", "select"],
    ["-- comment\nINSERT INTO t VALUES (1)", "insert"],
    ["/* a */ /* b */ update t set a = 1", "update"],
    ["DELETE FROM t", "delete"],
    ["BEGIN", "begin"],
    ["START TRANSACTION", "begin"],
    ["COMMIT", "commit"],
    ["END", "commit"],
    ["ROLLBACK", "rollback"],
    ["ABORT", "rollback"],
    ["WITH x AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM x)", "delete"],
    ["WITH x AS (DELETE FROM t RETURNING id) SELECT count(*) FROM x", "select"],
    ["with a as (select ')') , b as (select 2) insert into t select * from a", "insert"],
    ["CREATE TABLE t (id int)", "other"],
    ["SAVEPOINT s1", "other"],
    ["PRAGMA journal_mode = WAL", "other"],
    ["selectivity", "other"],
    ["", "other"],
    [undefined, "other"],
    [42, "other"],
  ])("%j → %s", (sql, expected) => {
    expect(sqlOperation(sql)).toBe(expected);
  });
});

describe("statementShape", () => {
  it.each([
    ["SELECT * FROM users WHERE email = 'ana@example.com' AND id = 42", "SELECT * FROM users WHERE email = ? AND id = ?"],
    ["select $1::text, $2", "select $1::text, $2"],
    ["INSERT INTO t (a) VALUES (1, 2.5, -3), ('x', 'it''s')", "INSERT INTO t (a) VALUES (?), (?)"],
    ["SELECT E'secret\\'s', $tag$body with 'quotes'$tag$, $$x$$", "SELECT ?, ?, ?"],
    ["SELECT * FROM t2 WHERE col3 = true -- trailing 'comment'", "SELECT * FROM t2 WHERE col3 = ?"],
    ["SELECT  a,\n\tb  FROM t /* 'hidden' */", "SELECT a, b FROM t"],
    ["CREATE TABLE t (a text NOT NULL DEFAULT 'x')", "CREATE TABLE t (a text NOT NULL DEFAULT ?)"],
  ])("%j → %j", (sql, expected) => {
    expect(statementShape(sql)).toBe(expected);
  });

  it("caps long statements", () => {
    expect(statementShape(`SELECT ${"a, ".repeat(400)}b`).length).toBeLessThanOrEqual(301);
  });
});

describe("errorCode", () => {
  it.each([
    [{ code: "23505" }, "23"],
    [{ code: "42P01" }, "42"],
    [{ code: "08006" }, "08"],
    [{ code: "ER_DUP_ENTRY", sqlState: "23000" }, "23"],
    [{ code: "SQLITE_CONSTRAINT_UNIQUE" }, "sqlite_constraint"],
    [{ code: "SQLITE_BUSY" }, "sqlite_busy"],
    [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }), "connection"],
    [new Error("Connection terminated unexpectedly"), "connection"],
    [new Error("timeout exceeded when trying to connect"), "connection"],
    [new Error("something else"), "other"],
    [{ code: "toolong-not-sqlstate" }, "other"],
    [null, "other"],
    ["string", "other"],
  ])("%j → %s", (error, expected) => {
    expect(errorCode(error)).toBe(expected);
  });
});
