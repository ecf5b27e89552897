import { describe, expect, it } from "vitest";
import { boundTenant, createTenantResolution, subdomainOf, type TenantRequest } from "../../src/runtime/tenant.js";
import type { TenantSource } from "../../src/config/schema.js";

const VALUES = ["EUR", "KM"];
const req = (fields: Partial<TenantRequest> = {}): TenantRequest => ({ headers: {}, ...fields });

describe("boundTenant", () => {
  it.each([
    [undefined, { tenant: "none" }],
    ["", { tenant: "none" }],
    ["   ", { tenant: "none" }],
    ["EUR", { tenant: "EUR", raw: "EUR" }],
    ["km", { tenant: "KM", raw: "km" }],
    ["XX", { tenant: "unknown", raw: "XX" }],
    [" EUR ", { tenant: "EUR", raw: "EUR" }],
  ])("%j → %j", (raw, expected) => {
    expect(boundTenant(raw, VALUES)).toEqual(expected);
  });

  it("caps the raw value kept for the audit trail", () => {
    expect(boundTenant("x".repeat(1000), VALUES).raw).toHaveLength(128);
  });
});

describe("createTenantResolution", () => {
  const cases: [TenantSource, TenantRequest, string][] = [
    ["header:x-shop", req({ headers: { "x-shop": "KM" } }), "KM"],
    ["header:X-Shop", req({ headers: { "x-shop": "EUR" } }), "EUR"],
    ["header:x-shop", req({ headers: { "x-shop": "ZZ" } }), "unknown"],
    ["header:x-shop", req(), "none"],
    ["param:shop", req({ params: { shop: "KM" } }), "KM"],
    ["param:shop", req({ params: {} }), "none"],
    ["param:shop", req(), "none"],
    ["query:tenant", req({ url: "/x?tenant=EUR&y=1" }), "EUR"],
    ["query:tenant", req({ originalUrl: "/api/x?tenant=km", url: "/x" }), "KM"],
    ["query:tenant", req({ url: "/x?other=EUR" }), "none"],
    ["subdomain", req({ hostname: "eur.shop.example.com" }), "EUR"],
    ["subdomain", req({ headers: { host: "km.localhost:5000" } }), "KM"],
    ["subdomain", req({ headers: { host: "shop.example.com" } }), "unknown"],
    ["subdomain", req({ headers: { host: "example.com" } }), "none"],
    ["subdomain", req({ headers: { host: "127.0.0.1:5000" } }), "none"],
    ["subdomain", req({ headers: { host: "[::1]:5000" } }), "none"],
  ];
  it.each(cases)("%s on %j → %s", (from, request, expected) => {
    expect(createTenantResolution({ values: VALUES, from }).resolve(request).tenant).toBe(expected);
  });

  it("prefers params passed explicitly (captured at route dispatch) over req.params", () => {
    const resolution = createTenantResolution({ values: VALUES, from: "param:shop" });
    expect(resolution.dependsOnParams).toBe(true);
    expect(resolution.resolve(req({ params: {} }), { shop: "KM" }).tenant).toBe("KM");
  });

  it("answers a value sent exactly as configured with one shared, frozen answer", () => {
    const resolution = createTenantResolution({ values: VALUES, from: "header:x-shop" });
    const first = resolution.resolve(req({ headers: { "x-shop": "KM" } }));
    expect(first).toEqual({ tenant: "KM", raw: "KM" });
    expect(resolution.resolve(req({ headers: { "x-shop": "KM" } }))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // Anything else still goes through trimming and case folding, answered afresh.
    expect(resolution.resolve(req({ headers: { "x-shop": " km " } }))).toEqual({ tenant: "KM", raw: "km" });
  });

  it("only param sources and custom functions depend on params", () => {
    expect(createTenantResolution({ values: VALUES, from: "header:x-shop" }).dependsOnParams).toBe(false);
    expect(createTenantResolution({ values: VALUES, from: "header:x-shop" }, () => "EUR").dependsOnParams).toBe(true);
  });

  it("bounds a custom resolver's answer and turns its exceptions into unknown", () => {
    const custom = createTenantResolution({ values: VALUES, from: "header:x-shop" }, (r) => r.headers["x-org"] as string | undefined);
    expect(custom.resolve(req({ headers: { "x-org": "km" } }))).toEqual({ tenant: "KM", raw: "km" });
    expect(custom.resolve(req({ headers: { "x-org": "acme" } })).tenant).toBe("unknown");
    expect(custom.resolve(req()).tenant).toBe("none");
    const throwing = createTenantResolution({ values: VALUES, from: "header:x-shop" }, () => {
      throw new Error("db down");
    });
    expect(throwing.resolve(req()).tenant).toBe("unknown");
  });
});

describe("subdomainOf", () => {
  it.each([
    ["eur.shop.example.com", "eur"],
    ["a.b", undefined],
    ["x.localhost", "x"],
    ["localhost", undefined],
    ["10.0.0.1", undefined],
  ])("%s → %s", (hostname, expected) => {
    expect(subdomainOf(req({ hostname }))).toBe(expected);
  });
});
