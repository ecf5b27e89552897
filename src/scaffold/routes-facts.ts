import { walk, type AstNode } from "./ast.js";

/**
 * What a route handler visibly does, read from its syntax tree: the statuses it sends, the
 * fields of the JSON it answers with on success, the request body fields it reads, and the field
 * name of the license-like objects it builds. Only literal code counts; anything computed is
 * left for the user to fill in.
 */
export interface HandlerFacts {
  /** Status codes from `res.status(N)` / `res.sendStatus(N)`. */
  statuses: number[];
  /** Keys of object literals sent with `res.json` / `res.send` without an error status. */
  responseKeys: string[];
  /** `req.body` fields read (`req.body.amount`, `const { amount } = req.body`). */
  bodyFields: string[];
  /** Field of a key in objects the handler builds (`{ key, product }`), when one is visible. */
  keyField?: string;
}

export const NO_FACTS: HandlerFacts = { statuses: [], responseKeys: [], bodyFields: [] };

const KEY_FIELDS = ["key", "licenseKey", "license_key", "code", "serial"];

const isNode = (v: unknown): v is AstNode => typeof v === "object" && v !== null && typeof (v as AstNode).type === "string";
const idName = (node: unknown): string | undefined => (isNode(node) && node.type === "Identifier" ? (node.name as string) : undefined);
const isMember = (node: AstNode) => node.type === "MemberExpression" || node.type === "OptionalMemberExpression";
const propertyName = (node: AstNode): string | undefined =>
  node.computed ? (isNode(node.property) && node.property.type === "StringLiteral" ? (node.property.value as string) : undefined) : idName(node.property);
const keyName = (prop: AstNode): string | undefined =>
  prop.type === "ObjectProperty" || prop.type === "ObjectMethod"
    ? (idName(prop.key) ?? (isNode(prop.key) && prop.key.type === "StringLiteral" ? (prop.key.value as string) : undefined))
    : undefined;
const isCall = (node: AstNode) => node.type === "CallExpression" || node.type === "OptionalCallExpression";

/** `res.status(402).json(x)` → the root identifier and the method names along the chain. */
function chain(call: AstNode): { root?: string; calls: Array<{ name: string; args: AstNode[] }> } {
  const calls: Array<{ name: string; args: AstNode[] }> = [];
  let node: AstNode | undefined = call;
  while (node && isCall(node)) {
    const callee = node.callee as AstNode;
    if (!isMember(callee)) return { calls };
    calls.unshift({ name: propertyName(callee) ?? "", args: node.arguments as AstNode[] });
    node = callee.object as AstNode;
  }
  return { ...(node ? { root: idName(node) } : {}), calls };
}

/** Whether `node` reads `<req>.body` (also `req.body ?? {}`, `req.body as T`). */
const isBody = (node: unknown, req: string): boolean => {
  if (!isNode(node)) return false;
  if (node.type === "LogicalExpression") return isBody(node.left, req);
  if (node.type === "TSAsExpression" || node.type === "TSNonNullExpression") return isBody(node.expression, req);
  return isMember(node) && idName(node.object) === req && propertyName(node) === "body";
};

export function handlerFacts(handler: AstNode | undefined, program: AstNode): HandlerFacts {
  if (!handler) return NO_FACTS;
  const params = (handler.params as AstNode[]) ?? [];
  const req = idName(params[0]) ?? "req";
  const res = idName(params[1]) ?? "res";
  const statuses = new Set<number>();
  const responseKeys = new Set<string>();
  const bodyFields = new Set<string>();
  walk(handler, (node) => {
    if (isCall(node)) {
      const { root, calls } = chain(node);
      if (root !== res || calls.length === 0) return;
      let status: number | undefined;
      for (const call of calls) {
        const value = call.args[0];
        if ((call.name === "status" || call.name === "sendStatus") && isNode(value) && value.type === "NumericLiteral") {
          status = value.value as number;
          statuses.add(status);
        }
      }
      const last = calls[calls.length - 1]!;
      if ((last.name === "json" || last.name === "send") && (status === undefined || status < 300)) {
        const body = last.args[0];
        if (isNode(body) && body.type === "ObjectExpression") for (const prop of body.properties as AstNode[]) {
          const key = keyName(prop);
          if (key) responseKeys.add(key);
        }
      }
    }
    if (isMember(node) && isBody(node.object, req)) {
      const field = propertyName(node);
      if (field) bodyFields.add(field);
    }
    if (node.type === "VariableDeclarator" && isNode(node.id) && node.id.type === "ObjectPattern" && isBody(node.init, req)) {
      for (const prop of node.id.properties as AstNode[]) {
        const key = keyName(prop);
        if (key) bodyFields.add(key);
      }
    }
  });
  const keyField = objectKeyField(handler) ?? objectKeyField(program);
  return { statuses: [...statuses].sort((a, b) => a - b), responseKeys: [...responseKeys], bodyFields: [...bodyFields], ...(keyField ? { keyField } : {}) };
}

/** The key-like field of object literals built in `scope` (`{ key: generateKey(), product }`). */
function objectKeyField(scope: AstNode): string | undefined {
  let found: string | undefined;
  walk(scope, (node) => {
    if (found || node.type !== "ObjectExpression") return;
    const keys = (node.properties as AstNode[]).map(keyName);
    found = KEY_FIELDS.find((k) => keys.includes(k));
  });
  return found;
}

/**
 * Where the app keeps the request's user and which of its fields it uses, from every scanned
 * file: `req.user`, `res.locals.user`, `req.session.user`, and user fields such as `role`,
 * `accountType` and `branchId` in object literals or member reads.
 */
export interface ActorFacts {
  from: string[];
  fields: Set<string>;
}

export function actorFacts(programs: AstNode[]): ActorFacts {
  const from = new Set<string>();
  const fields = new Set<string>();
  for (const program of programs) {
    walk(program, (node) => {
      if (isMember(node)) {
        const name = propertyName(node);
        if (name) fields.add(name);
        const object = node.object as AstNode;
        if (name === "user" && /^req(uest)?$/.test(idName(object) ?? "")) from.add("req.user");
        if (name === "user" && isMember(object) && propertyName(object) === "locals") from.add("res.locals.user");
        if (name === "user" && isMember(object) && propertyName(object) === "session") from.add("req.session.user");
      }
      if (node.type === "ObjectExpression") for (const prop of node.properties as AstNode[]) {
        const key = keyName(prop);
        if (key) fields.add(key);
      }
    });
  }
  const order = ["req.user", "res.locals.user", "req.session.user"];
  return { from: order.filter((f) => from.has(f)), fields };
}

/**
 * Product names the code lists: a top-level constant named like products/catalog/prices holding
 * an array of strings, an object keyed by product, or a Set/Map of them.
 */
export function productLiterals(programs: AstNode[]): string[] {
  const products = new Set<string>();
  const strings = (node: unknown): string[] =>
    isNode(node) && node.type === "ArrayExpression"
      ? (node.elements as AstNode[]).flatMap((e) => (isNode(e) && e.type === "StringLiteral" ? [e.value as string]
        : isNode(e) && e.type === "ArrayExpression" && isNode((e.elements as AstNode[])[0]) && (e.elements as AstNode[])[0]!.type === "StringLiteral" ? [((e.elements as AstNode[])[0]!.value as string)] : []))
      : [];
  for (const program of programs) {
    walk(program, (node) => {
      if (node.type !== "VariableDeclarator" || !/product|catalog|price|sku/i.test(idName(node.id) ?? "")) return;
      let init = node.init as AstNode | undefined;
      while (init && (init.type === "TSAsExpression" || init.type === "TSSatisfiesExpression")) init = init.expression as AstNode;
      if (!init) return;
      if (init.type === "NewExpression" && /^(Set|Map)$/.test(idName(init.callee) ?? "")) init = (init.arguments as AstNode[])[0];
      for (const value of strings(init)) products.add(value);
      if (isNode(init) && init.type === "ObjectExpression") for (const prop of init.properties as AstNode[]) {
        const key = keyName(prop);
        if (key) products.add(key);
      }
    });
  }
  return [...products].filter((p) => /^[\w.-]{1,64}$/.test(p));
}
