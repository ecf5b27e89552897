// Bundled by scripts/bundle-vendor.js (see commander.ts for why).
export { Chalk, type ChalkInstance } from "chalk";
