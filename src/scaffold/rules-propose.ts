import type { ActorFacts, HandlerFacts } from "./routes-facts.js";
import type { ScannedRoute } from "./routes-scan.js";

/**
 * Route rules `mon init` proposes for mon.config.json's `events`, from each route's method and
 * path words and what its handler visibly does. A table, first match wins; values the code does
 * not show are left out, except the ones a rule needs (a wallet amount, a branch id), which get
 * the conventional path and are listed as `guessed` so the user knows what to check.
 */
export type RuleJson = Record<string, unknown>;

export interface RuleProposal {
  /** `events` key: `"<METHOD> <template>"`. */
  key: string;
  event: string;
  rule: RuleJson;
  /** Where the route is registered, for the checklist. */
  file: string;
  line: number;
  /** Fields filled with a conventional path because the code does not show one. */
  guessed: string[];
}

interface Match {
  event: string;
  words: RegExp;
  methods: ReadonlySet<string>;
}

const WRITE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const CREATE = new Set(["POST", "PUT"]);
const ANY = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);
const POST = new Set(["POST"]);

/** Path words → event, in priority order (a logout route also contains "auth", a role route "users"). */
const TABLE: readonly Match[] = [
  { event: "logout", words: /^(logout|signout|logoff)$/, methods: ANY },
  { event: "login", words: /^(login|signin|logon|authenticate)$/, methods: POST },
  { event: "wallet.refund", words: /^refunds?$/, methods: WRITE },
  { event: "wallet.withdrawal", words: /^(withdraw|withdrawals?|payouts?)$/, methods: WRITE },
  { event: "wallet.deposit", words: /^(deposits?|topups?|recharge)$/, methods: WRITE },
  { event: "wallet.purchase", words: /^(orders?|purchases?|checkout|buy)$/, methods: POST },
  { event: "license.generated", words: /^(licen[sc]es?|licen[sc]ekeys?|keys?)$/, methods: CREATE },
  { event: "license.accessed", words: /^(licen[sc]es?|licen[sc]ekeys?|keys?)$/, methods: new Set(["GET"]) },
  { event: "branch.created", words: /^branch(es)?$/, methods: CREATE },
  { event: "role.changed", words: /^(roles?|permissions?)$/, methods: WRITE },
  { event: "user.created", words: /^(users|invites?|invitations|signup|register|members)$/, methods: POST },
  { event: "admin.action", words: /^admin$/, methods: WRITE },
];

/**
 * Words that make a money, license or account route something other than the event its noun
 * suggests (`POST /orders/:id/cancel` is no purchase, `POST /keys/:id/revoke` generates nothing).
 */
const NOT_THE_EVENT = /^(cancel|revoke|revocation|deactivate|disable|verify|validate|status|preview|quote|estimate|search|export)$/;
const AUTH_EVENTS = new Set(["login", "logout"]);

/** Status → reason, for the statuses a handler sends. */
const REASONS: Record<number, string> = {
  400: "invalid_request", 401: "unauthenticated", 402: "insufficient_funds", 403: "forbidden", 404: "not_found",
  409: "conflict", 422: "invalid_request", 423: "locked", 429: "rate_limited",
};

const words = (path: string) => path.split("/").filter((s) => s && !s.startsWith(":")).map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ""));
const params = (path: string) => path.split("/").filter((s) => s.startsWith(":")).map((s) => s.slice(1).replace(/\?$/, ""));
const first = (candidates: readonly string[], present: readonly string[]) => candidates.find((c) => present.includes(c));
const VALUE_ROOT = /^(body|params|query|headers|user|response)(\[\]|[.[]|$)/;

function reasons(facts: HandlerFacts, event: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const status of facts.statuses.filter((s) => s >= 400)) {
    const reason = event === "login" && status === 401 ? "invalid_credentials" : REASONS[status];
    if (reason) out[String(status)] = reason;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function amount(facts: HandlerFacts, event: string, guessed: string[]): RuleJson {
  const fromResponse = first(["total", "amount", "totalMinor", "amountMinor", "price"], facts.responseKeys);
  const fromBody = first(["amount", "amountMinor", "amount_minor", "amountCents", "value", "sum", "total"], facts.bodyFields);
  const path = event === "wallet.purchase"
    ? (fromResponse ? `response.${fromResponse}` : fromBody ? `body.${fromBody}` : undefined)
    : (fromBody ? `body.${fromBody}` : fromResponse ? `response.${fromResponse}` : undefined);
  if (!path) guessed.push("amount");
  const field = path ?? "body.amount";
  return { amount: field, amountUnit: /minor|cents/i.test(field) ? "minor" : "major" };
}

/** Where the generated keys are in the response: `response.licenses[].key`, or undefined. */
function keysPath(facts: HandlerFacts): string | undefined {
  const list = first(["licenses", "licenseKeys", "keys", "licences"], facts.responseKeys);
  if (list) return list === "licenseKeys" || list === "keys" ? `response.${list}[]` : `response.${list}[].${facts.keyField ?? "key"}`;
  const single = first(["key", "licenseKey"], facts.responseKeys);
  return single ? `response.${single}` : undefined;
}

const product = (facts: HandlerFacts) => {
  const field = first(["product", "productId", "productName", "sku"], facts.bodyFields);
  return field ? { product: `body.${field}` } : {};
};

function fields(event: string, route: ScannedRoute, guessed: string[]): RuleJson {
  const { facts, path } = route;
  const names = params(path);
  // The response's id of the new transaction, else the one the client names (a refund's).
  const txId = first(["txId", "transactionId", "orderId", "id"], facts.responseKeys);
  const bodyTx = first(["txId", "transactionId"], facts.bodyFields);
  const tx = txId ? { txId: `response.${txId}` } : bodyTx ? { txId: `body.${bodyTx}` } : {};
  const target = names[0] ? { target: `params.${names[0]}` } : {};
  switch (event) {
    case "login": {
      const actor = first(["username", "email", "login", "userName", "user", "phone"], facts.bodyFields);
      return actor ? { actorId: `body.${actor}` } : {};
    }
    case "wallet.deposit":
    case "wallet.refund":
    case "wallet.withdrawal": {
      const words = path.split("/");
      const wallet = words.findIndex((w) => /^wallets?$/i.test(w));
      const walletParam = wallet >= 0 && words[wallet + 1]?.startsWith(":") ? { walletId: `params.${words[wallet + 1]!.slice(1)}` } : {};
      return { ...amount(facts, event, guessed), ...walletParam, ...tx };
    }
    case "wallet.purchase": {
      const keys = keysPath(facts);
      const also = keys ? { also: [{ event: "license.generated", ...product(facts), keys }] } : {};
      return { ...amount(facts, event, guessed), ...(keys ? {} : product(facts)), ...tx, ...also };
    }
    case "license.generated": {
      const keys = keysPath(facts);
      const count = first(["quantity", "qty", "count"], facts.bodyFields);
      return { ...product(facts), ...(keys ? { keys } : count ? { count: `body.${count}` } : {}) };
    }
    case "license.accessed":
      return target;
    case "branch.created": {
      const id = first(["branchId", "id"], facts.responseKeys);
      if (!id) guessed.push("branchId");
      return { branchId: `response.${id ?? "id"}`, ...(facts.bodyFields.includes("name") ? { name: "body.name" } : {}) };
    }
    case "role.changed":
      return { ...target, ...(facts.bodyFields.includes("role") ? { role: "body.role" } : {}) };
    case "user.created":
      return { ...(facts.responseKeys.includes("id") ? { target: "response.id" } : {}), ...(facts.bodyFields.includes("role") ? { role: "body.role" } : {}) };
    case "admin.action": {
      if (names.includes("action")) return { action: "params.action", ...(names[0] !== "action" ? target : {}) };
      const segments = words(path);
      const after = segments.slice(segments.indexOf("admin") + 1).join(".") || route.method.toLowerCase();
      return { action: VALUE_ROOT.test(after) ? `admin.${after}` : after, ...target };
    }
    default:
      return {};
  }
}

/** The rule for one route, or undefined when no path word matches. */
export function proposeRule(route: ScannedRoute): RuleProposal | undefined {
  const pathWords = words(route.path);
  const match = TABLE.find((m) => m.methods.has(route.method) && pathWords.some((w) => m.words.test(w)));
  if (!match || (!AUTH_EVENTS.has(match.event) && pathWords.some((w) => NOT_THE_EVENT.test(w)))) return undefined;
  const guessed: string[] = [];
  const why = reasons(route.facts, match.event);
  const rule: RuleJson = { event: match.event, ...fields(match.event, route, guessed), ...(why ? { reasons: why } : {}) };
  return { key: `${route.method} ${route.path}`, event: match.event, rule, file: route.file, line: route.line, guessed };
}

export function proposeRules(routes: readonly ScannedRoute[]): RuleProposal[] {
  return routes.flatMap((route) => proposeRule(route) ?? []);
}

/** The `actor` section: where the user lives and which of its fields the code uses. */
export function proposeActor(facts: ActorFacts): RuleJson | undefined {
  if (facts.from.length === 0) return undefined;
  const pick = (candidates: string[]) => candidates.find((c) => facts.fields.has(c));
  const role = pick(["role"]);
  const segment = pick(["accountType", "userType", "customerType", "segment"]);
  const branch = pick(["branchId", "branch_id"]);
  const branchParents = pick(["branchPath", "branchParents", "branchAncestors"]);
  return {
    from: facts.from, id: "id",
    ...(role ? { role } : {}), ...(segment ? { segment } : {}), ...(branch ? { branch } : {}), ...(branchParents ? { branchParents } : {}),
  };
}

/** One line per proposal for the checklist and the summary: `POST /api/orders → wallet.purchase (amount response.total, 402 insufficient_funds)`. */
export function describeProposal(proposal: RuleProposal): string {
  const { event: _event, reasons: why, also, ...values } = proposal.rule as { event: string; reasons?: Record<string, string>; also?: RuleJson[] };
  const parts = Object.entries(values).filter(([k]) => k !== "amountUnit").map(([k, v]) => `${k} ${String(v)}`);
  for (const [status, reason] of Object.entries(why ?? {})) parts.push(`${status} ${reason}`);
  for (const extra of also ?? []) parts.push(`+ ${String(extra.event)}`);
  const guessed = proposal.guessed.length > 0 ? `; check ${proposal.guessed.join(", ")}` : "";
  return `${proposal.key} → ${proposal.event}${parts.length > 0 ? ` (${parts.join(", ")}${guessed})` : guessed ? ` (${guessed.slice(2)})` : ""}`;
}
