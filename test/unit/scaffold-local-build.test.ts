import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bundleRunningBuild, tarballOrigin } from "../../src/scaffold/local-build.js";

// How init tells a tarball install from a registry one: the `resolved` npm recorded for the CLI
// in its tree's lockfile, and whether the tarball there still has the recorded integrity.
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function installedTree(resolved: string, tarball?: Buffer, integrity?: string): { tree: string; cli: string } {
  const tree = mkdtempSync(join(tmpdir(), "monwire-tree-"));
  dirs.push(tree);
  const cli = join(tree, "node_modules", "monwire");
  mkdirSync(cli, { recursive: true });
  writeFileSync(join(cli, "package.json"), JSON.stringify({ name: "monwire", version: "9.8.7" }));
  if (tarball) writeFileSync(join(tree, "monwire-9.8.7.tgz"), tarball);
  const entry = { version: "9.8.7", resolved, ...(integrity ? { integrity } : {}) };
  writeFileSync(join(tree, "node_modules", ".package-lock.json"), JSON.stringify({ packages: { "node_modules/monwire": entry } }));
  return { tree, cli };
}

const sri = (bytes: Buffer) => `sha512-${createHash("sha512").update(bytes).digest("base64")}`;

describe("tarballOrigin", () => {
  const bytes = Buffer.from("not really gzip, but bytes all the same");

  it("finds the tarball npm recorded, when its integrity still matches", () => {
    const { tree, cli } = installedTree("file:monwire-9.8.7.tgz", bytes, sri(bytes));
    expect(tarballOrigin(cli)).toEqual({ resolved: "file:monwire-9.8.7.tgz", tarball: join(tree, "monwire-9.8.7.tgz") });
  });

  it("knows the origin but not the file when the tarball changed or is gone", () => {
    expect(tarballOrigin(installedTree("file:monwire-9.8.7.tgz", Buffer.from("rebuilt"), sri(bytes)).cli)).toEqual({ resolved: "file:monwire-9.8.7.tgz" });
    expect(tarballOrigin(installedTree("file:monwire-9.8.7.tgz").cli)).toEqual({ resolved: "file:monwire-9.8.7.tgz" });
  });

  it("is undefined for a registry install, and outside node_modules", () => {
    expect(tarballOrigin(installedTree("https://registry.npmjs.org/monwire/-/monwire-9.8.7.tgz").cli)).toBeUndefined();
    const plain = mkdtempSync(join(tmpdir(), "monwire-plain-"));
    dirs.push(plain);
    expect(tarballOrigin(plain)).toBeUndefined();
  });
});

describe("bundleRunningBuild", () => {
  const bytes = Buffer.from("the build");

  it("copies the recorded tarball into .monwire/ of an app without monwire, named by version", async () => {
    const { cli } = installedTree("file:monwire-9.8.7.tgz", bytes, sri(bytes));
    const app = mkdtempSync(join(tmpdir(), "monwire-app-"));
    dirs.push(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "shop", dependencies: { express: "^5.1.0" } }));
    const bundle = await bundleRunningBuild(app, cli);
    expect(bundle).toMatchObject({ path: ".monwire/monwire-9.8.7.tgz", from: join(app, ".monwire/monwire-9.8.7.tgz"), origin: "file:monwire-9.8.7.tgz" });
    expect(bundle?.bytes.equals(bytes)).toBe(true);
  });

  it("gives no second copy to an app that already depends on monwire", async () => {
    const { cli } = installedTree("file:monwire-9.8.7.tgz", bytes, sri(bytes));
    const app = mkdtempSync(join(tmpdir(), "monwire-app-"));
    dirs.push(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "shop", dependencies: { monwire: "file:../monwire-9.8.7.tgz" } }));
    expect(await bundleRunningBuild(app, cli)).toBeUndefined();
    expect(readFileSync(join(app, "package.json"), "utf8")).toContain("monwire");
  });

  it("keeps bundling for an app that depends on this very copy (a re-run), so the manifest keeps it", async () => {
    const { cli } = installedTree("file:monwire-9.8.7.tgz", bytes, sri(bytes));
    const app = mkdtempSync(join(tmpdir(), "monwire-app-"));
    dirs.push(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "shop", dependencies: { monwire: "file:.monwire/monwire-9.8.7.tgz" } }));
    expect((await bundleRunningBuild(app, cli))?.path).toBe(".monwire/monwire-9.8.7.tgz");
  });
});
