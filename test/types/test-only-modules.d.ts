// pg ships no types and is only a test dependency (the Postgres fixture and runtime tests): its
// API is used untyped there rather than adding @types/pg for one test file.
declare module "pg";

// better-sqlite3 likewise: a devDependency for the sqlite fixture and runtime tests only.
declare module "better-sqlite3";

// express4 is Express 4 installed under an alias (npm:express@^4) next to Express 5: typed as
// express, whose call shapes the tests use are the same in both majors.
declare module "express4" {
  export { default } from "express";
}
