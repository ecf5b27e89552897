// Bundled by scripts/bundle-vendor.js (see commander.ts for why).
export { parse } from "@babel/parser";
