// pg ships no types and is only a test dependency (the Postgres fixture and runtime tests): its
// API is used untyped there rather than adding @types/pg for one test file.
declare module "pg";

// better-sqlite3 likewise: a devDependency for the sqlite fixture and runtime tests only.
declare module "better-sqlite3";
