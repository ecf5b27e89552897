// Bundled by scripts/bundle-vendor.js (see commander.ts for why).
import Table from "cli-table3";

export default Table;
