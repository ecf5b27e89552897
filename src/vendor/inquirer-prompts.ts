// Bundled by scripts/bundle-vendor.js (see commander.ts for why).
export { checkbox, confirm, input, number } from "@inquirer/prompts";
