/** `mon check` reads `.env` with the very parser the runtime loads it with (src/config/env-file.ts). */
export { parseEnvFile, readSetting, type SettingSource } from "../config/env-file.js";
