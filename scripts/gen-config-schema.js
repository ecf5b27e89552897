// Writes schema/mon.config.schema.json from the config's field rules (src/config/fields.ts), via
// the built dist/. Run by `npm run schema`; test/unit/config-schema.test.ts fails when the file
// in the repo differs from what this writes.
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../dist/config/json-schema.js";

const file = new URL("../schema/mon.config.schema.json", import.meta.url);
writeFileSync(file, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${file.pathname}\n`);
