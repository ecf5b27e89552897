// Removes dist/ before a build so deleted sources never linger as stale output.
import { rmSync } from "node:fs";
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
