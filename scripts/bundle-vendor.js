// Build step after tsc: bundles each src/vendor module with its third-party package into
// dist/vendor, so the CLI's dependencies (commander, chalk, prompts, execa, the Babel parser, …)
// ship inside monwire and stay devDependencies: a host that installs monwire for its runtime gets
// none of them. One output file per vendor module keeps the CLI's lazy loading lazy (chalk and the
// prompts load only for the commands that use them); code they share goes to common chunks.
// The licenses of every bundled package are collected into dist/THIRD_PARTY_LICENSES.md.
import { build } from "esbuild";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const vendorSrc = join(root, "src", "vendor");
const entryPoints = readdirSync(vendorSrc).filter((name) => name.endsWith(".ts")).map((name) => join(vendorSrc, name));

const result = await build({
  entryPoints,
  outdir: join(root, "dist", "vendor"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  chunkNames: "chunks/[name]-[hash]",
  // CommonJS packages inside an ES module bundle still call require() for Node's builtins.
  banner: { js: 'import { createRequire as __monwireCreateRequire } from "node:module";\nconst require = __monwireCreateRequire(import.meta.url);' },
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});

/** The package folder (the one holding package.json) of a bundled input under node_modules. */
function packageDirOf(input) {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return undefined;
  const nameParts = parts[at + 1]?.startsWith("@") ? 2 : 1;
  return join(root, ...parts.slice(0, at + 1 + nameParts));
}

const LICENSE_FILE = /^(licen[cs]e|copying|notice)([-.][a-z0-9]+)*$/i;
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const dir = packageDirOf(input);
  if (!dir || packages.has(dir)) continue;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const files = readdirSync(dir).filter((name) => LICENSE_FILE.test(name)).sort();
  if (files.length === 0) throw new Error(`bundle-vendor: ${pkg.name} is bundled into dist/vendor but ships no license file; add its notice by hand before bundling it`);
  packages.set(dir, { name: pkg.name, version: pkg.version, license: pkg.license ?? "see text", texts: files.map((name) => readFileSync(join(dir, name), "utf8").trim()) });
}

const list = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
const notice = [
  "# Third-party software bundled in monwire",
  "",
  "The `mon` CLI ships these packages bundled into `dist/vendor/` (built by scripts/bundle-vendor.js),",
  "so they are not installed as dependencies. Their license notices follow.",
  "",
  ...list.map((p) => `- ${p.name} ${p.version} (${p.license})`),
  "",
  ...list.flatMap((p) => [`## ${p.name} ${p.version}`, "", "```", ...p.texts.flatMap((text, i) => (i === 0 ? [text] : ["", text])), "```", ""]),
].join("\n");
writeFileSync(join(root, "dist", "THIRD_PARTY_LICENSES.md"), notice);

const outputs = Object.keys(result.metafile.outputs).filter((file) => file.endsWith(".js"));
const bytes = outputs.reduce((sum, file) => sum + result.metafile.outputs[file].bytes, 0);
const shown = relative(root, dirname(join(root, outputs[0] ?? "dist/vendor/x"))).split(sep).join("/");
process.stderr.write(`bundle-vendor: ${entryPoints.length} modules, ${list.length} packages, ${Math.round(bytes / 1024)} KiB in ${shown} (licenses in dist/THIRD_PARTY_LICENSES.md)\n`);
if (!existsSync(join(root, "dist", "vendor", "commander.js"))) throw new Error("bundle-vendor: dist/vendor/commander.js was not written");
