import { readFileSync } from "node:fs";

/** monwire's own version, read from the package.json shipped beside dist/. */
export function getVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
