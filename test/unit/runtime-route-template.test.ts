import { describe, expect, it } from "vitest";
import { joinRoute, stringifyRoutePath, templatizeMountPath, watchRoute } from "../../src/runtime/route-template.js";

describe("stringifyRoutePath", () => {
  it.each([
    ["/api/licenses/:id", "/api/licenses/:id"],
    ["/files/*splat", "/files/*splat"],
    ["/:file{.:ext}", "/:file{.:ext}"],
    [["/a", "/b/:id"], "/a|/b/:id"],
    [/^\/legacy\/\d+$/i, "/^\\/legacy\\/\\d+$/i"],
    [[/^\/x$/, "/y"], "/^\\/x$/|/y"],
  ])("%s → %s", (path, expected) => {
    expect(stringifyRoutePath(path)).toBe(expected);
  });
});

describe("joinRoute", () => {
  it.each([
    ["", "/health", "/health"],
    ["", "/", "/"],
    ["/api", "/", "/api"],
    ["/api", "/licenses/:id", "/api/licenses/:id"],
    ["/api/", "/x", "/api/x"],
  ])("%s + %s → %s", (base, path, expected) => {
    expect(joinRoute(base, path)).toBe(expected);
  });
});

describe("templatizeMountPath", () => {
  it.each([
    ["/shops/eur", { shop: "eur" }, "/shops/:shop"],
    ["/shops/eur/eur", { shop: "eur" }, "/shops/:shop/:shop"],
    ["/v2/shops/km", { version: "v2", shop: "km" }, "/:version/shops/:shop"],
    ["/caf%C3%A9", { name: "café" }, "/:name"],
    ["/files/a/b/c", { rest: ["a", "b"] }, "/files/*rest/c"],
    ["/static", {}, "/static"],
    ["/static", undefined, "/static"],
  ])("%s with %j → %s", (concrete, params, expected) => {
    expect(templatizeMountPath(concrete, params)).toBe(expected);
  });
});

describe("watchRoute", () => {
  it("records the template when the route is dispatched, even if baseUrl is restored before the response ends", () => {
    const req: { baseUrl?: string; route?: unknown; params?: Record<string, unknown> } = { baseUrl: "", params: {} };
    const seen: Record<string, unknown>[] = [];
    const watch = watchRoute(req, (params) => seen.push(params));
    // What Express does: enter /api, enter /shops/:shop (mount params set first), dispatch the route.
    req.params = {};
    req.baseUrl = "/api";
    req.params = { shop: "KM" };
    req.baseUrl = "/api/shops/KM";
    req.params = { amount: "5" };
    req.route = { path: "/wallet/:amount" };
    // next(err) leaves the routers: Express restores baseUrl and params.
    req.baseUrl = "";
    req.params = {};
    expect(watch.template()).toBe("/api/shops/:shop/wallet/:amount");
    expect(seen.at(-1)).toEqual({ shop: "KM", amount: "5" });
    expect(req.route).toEqual({ path: "/wallet/:amount" });
    expect(req.baseUrl).toBe("");
  });

  it("has no template when no route was dispatched", () => {
    const req: { baseUrl?: string; route?: unknown } = {};
    const watch = watchRoute(req);
    req.baseUrl = "/api";
    expect(watch.template()).toBeUndefined();
  });
});
