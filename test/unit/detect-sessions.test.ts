import { describe, expect, it } from "vitest";
import { parseSource } from "../../src/scaffold/ast.js";
import { findSessionStores, planSessions } from "../../src/scaffold/detect-sessions.js";

const sites = (code: string, file = "server/app.ts") => findSessionStores([{ file, program: parseSource(code, file) }]);

describe("session stores init finds in the app's code", () => {
  it.each([
    ["a module-private Map without a tenant", "const sessions = new Map();\nsessions.set(t, { userId: u.id });", { kind: "map", variable: "sessions", exported: false, fields: ["userId"] }],
    ["an exported Map with the shop in each session", "export const sessions = new Map();\nsessions.set(t, { userId, shop });", { kind: "map", variable: "sessions", exported: true, fields: ["userId", "shop"] }],
    ["a Map exported by name", "const sessionStore = new Map();\nexport { sessionStore };", { kind: "map", variable: "sessionStore", exported: true }],
    ["an express-session MemoryStore", "const store = new MemoryStore({ checkPeriod: 1 });\napp.use(session({ store, secret: s }));", { kind: "express-session", variable: "store" }],
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

  it("points an express-session store to createMonitoring({ sessionSource })", () => {
    expect(planSessions(sites("const store = new MemoryStore();"), 2).note).toContain("found an express-session store `store` in server/app.ts; active_user_sessions counts login/logout events (sessions.source \"events\") until you pass it as createMonitoring({ sessionSource: store })");
  });
});
