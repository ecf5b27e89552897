import { describe, expect, it } from "vitest";
import { parseSource } from "../../src/scaffold/ast.js";
import { findSessionStores, planSessions } from "../../src/scaffold/detect-sessions.js";
import { monitoringOptions } from "../../src/scaffold/templates.js";

const sites = (code: string, file = "server/app.ts") => findSessionStores([{ file, program: parseSource(code, file) }]);

describe("session stores init finds in the app's code", () => {
  it.each([
    ["a module-private Map without a tenant", "const sessions = new Map();\nsessions.set(t, { userId: u.id });", { kind: "map", variable: "sessions", exported: false, fields: ["userId"] }],
    ["an exported Map with the shop in each session", "export const sessions = new Map();\nsessions.set(t, { userId, shop });", { kind: "map", variable: "sessions", exported: true, fields: ["userId", "shop"] }],
    ["a Map exported by name", "const sessionStore = new Map();\nexport { sessionStore };", { kind: "map", variable: "sessionStore", exported: true }],
    ["an express-session MemoryStore", "const store = new MemoryStore({ checkPeriod: 1 });\napp.use(session({ store, secret: s }));", { kind: "express-session", variable: "store" }],
    ["a Map exported by CommonJS", "const sessions = new Map();\nsessions.set(t, { userId, shop });\nmodule.exports = { sessions, app };", { kind: "map", variable: "sessions", exported: true }],
    ["a store exported by exports.store", "const store = new MemoryStore();\nexports.store = store;", { kind: "express-session", variable: "store", exported: true }],
    ["a store exported under another name is not reachable by its variable", "const store = new MemoryStore();\nexports.sessionStore = store;", { kind: "express-session", variable: "store", exported: false }],
    ["a store created inline in session()", "app.use(session({ store: new (pgSession(session))({ pool }) }));", { kind: "express-session" }],
  ])("%s", (_name, code, expected) => {
    expect(sites(code)[0]).toMatchObject({ file: "server/app.ts", ...expected });
  });

  it("ignores Maps that are not sessions", () => {
    expect(sites("const balances = new Map();\nconst licenses = new Map();")).toEqual([]);
  });
});

describe("the session source init writes and the note it gives", () => {
  it("counts events and says so when nothing was found", () => {
    expect(planSessions([], 2)).toEqual({ source: "events", note: 'no session store found in the app\'s code: active_user_sessions counts login/logout events (sessions.source "events")' });
  });

  it("names what keeps a private Map without a tenant from being counted per tenant", () => {
    const plan = planSessions(sites("const sessions = new Map();\nsessions.set(t, { userId });"), 2);
    expect(plan.source).toBe("events");
    expect(plan.note).toContain("but it is not exported and holds no tenant in its sessions (userId)");
    expect(plan.note).toContain("export it, store the tenant in each session");
  });

  it("with one tenant, a Map's sessions need no tenant field", () => {
    expect(planSessions(sites("export const sessions = new Map();\nsessions.set(t, { userId });"), 1).note).not.toContain("holds no tenant");
  });

  it("names why a private express-session store is not read, and the change that switches to it", () => {
    expect(planSessions(sites("const store = new MemoryStore();"), 2)).toMatchObject({
      source: "events",
      note: 'found an express-session store `store` in server/app.ts, but it is not exported and has no tenant init can see in its sessions: active_user_sessions counts login/logout events (sessions.source "events"); to count from it, export it, store the tenant in each session (sessions.tenantField, default "tenant"), then pass it as createMonitoring({ sessionSource: store }) and set sessions.source to "store" (docs/tracking.md, Sessions)',
    });
    expect(planSessions(sites("app.use(session({ store: new (pgSession(session))({ pool }) }));"), 1).note).toContain("but it is created inline, not held in a variable: ");
  });
});

describe("a store init wires into the monitoring file", () => {
  it("wires an exported Map whose sessions carry the shop, with that field as the tenant path", () => {
    const plan = planSessions(sites("export const sessions = new Map();\nsessions.set(t, { userId, shop });", "server/routes.ts"), 2);
    expect(plan).toMatchObject({ source: "store", wire: { file: "server/routes.ts", name: "sessions", tenantField: "shop" } });
    expect(plan.note).toBe('found the session Map `sessions` in server/routes.ts, exported: active_user_sessions is read from it at each scrape (sessions.source "store", each session\'s tenant from "shop"); the monitoring file imports it lazily');
  });

  it("wires a store exported by name, its tenant from what the app assigns to req.session in another file", () => {
    const programs = [
      { file: "server/session.ts", code: "const store = new MemoryStore();\nexport { store };\napp.use(session({ store }));" },
      { file: "server/routes.ts", code: "app.post('/login', (req, res) => { req.session.user = { id: u.id, tenant: req.header('x-shop') }; });" },
    ].map(({ file, code }) => ({ file, program: parseSource(code, file) }));
    expect(planSessions(findSessionStores(programs), 2)).toMatchObject({ source: "store", wire: { file: "server/session.ts", name: "store", tenantField: "user.tenant" } });
  });

  it("with one tenant, needs no tenant in the sessions and writes no tenantField", () => {
    expect(planSessions(sites("export const sessionStore = new MemoryStore();"), 1)).toMatchObject({ source: "store", wire: { file: "server/app.ts", name: "sessionStore" } });
    expect(planSessions(sites("export const sessionStore = new MemoryStore();"), 1).wire).not.toHaveProperty("tenantField");
  });

  it("keeps events for an exported Map whose sessions hold no tenant when there are several", () => {
    expect(planSessions(sites("export const sessions = new Map();\nsessions.set(t, { userId });"), 2)).toMatchObject({ source: "events", note: expect.stringContaining("but it holds no tenant in its sessions (userId)") });
  });
});

describe("the sessionSource line init writes into the monitoring file", () => {
  const store = { file: "server/auth/session-store.ts", name: "store" };
  it.each([
    ["TS ESM under node16 resolution", { language: "ts", moduleSystem: "esm", importExtension: ".js" }, '() => import("../auth/session-store.js").then((m) => m.store)'],
    ["TS bundled without extensions", { language: "ts", moduleSystem: "esm", importExtension: "" }, '() => import("../auth/session-store").then((m) => m.store)'],
    ["TS CommonJS", { language: "ts", moduleSystem: "cjs", importExtension: "" }, '() => import("../auth/session-store").then((m) => m.store)'],
    ["JS CommonJS", { language: "js", moduleSystem: "cjs", importExtension: "" }, '() => require("../auth/session-store").store'],
  ] as const)("%s", (_name, flavor, load) => {
    const options = monitoringOptions({ serverDir: "server", sourceExtension: ".ts", ...flavor }, store);
    expect(options).toContain(`  sessionSource: ${load},\n}`);
  });

  it("reaches a store beside the server folder, keeping its own extension, and is empty without one", () => {
    expect(monitoringOptions({ serverDir: "src", sourceExtension: ".mjs", importExtension: ".mjs", language: "js", moduleSystem: "esm" }, { file: "src/sessions.mjs", name: "sessions" }))
      .toContain('import("../sessions.mjs").then((m) => m.sessions)');
    expect(monitoringOptions({ serverDir: "", sourceExtension: ".ts", importExtension: ".js", language: "ts", moduleSystem: "esm" }, { file: "lib/store.mts", name: "s" }))
      .toContain('import("../lib/store.mjs")');
    expect(monitoringOptions({ serverDir: "server", sourceExtension: ".ts", importExtension: ".js", language: "ts", moduleSystem: "esm" })).toBe("");
  });
});
