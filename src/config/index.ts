export * from "./schema.js";
export { collectConfigIssues, resolveConfig } from "./validate.js";
export { CONFIG_FILE, findConfigFile, loadConfig, readConfigFile, type LoadedConfig } from "./load.js";
