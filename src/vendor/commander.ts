// The CLI's third-party packages are reached only through src/vendor: the build bundles each of
// these modules with its package (scripts/bundle-vendor.js), so a host that installs monwire for
// its runtime gets none of them in node_modules. Type-only imports may name the package itself.
export { Command, CommanderError, Option } from "commander";
