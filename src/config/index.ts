export * from "./schema.js";
export { checkConfig, collectConfigIssues, configError, resolveConfig, type ConfigResult } from "./validate.js";
export { configJsonSchema } from "./json-schema.js";
export { CONFIG_FILE, findConfigFile, inspectConfigFile, loadConfig, locateConfigFile, readConfigFile, type ConfigFileResult, type LoadedConfig } from "./load.js";
export {
  validateEventRules, parseValueSource, findUnmatchedRules, rulePath, EVENT_NAMES, VALUE_ROOTS, EACH,
  type EventName, type EventRule, type RouteRule, type RuleField, type ValueSource, type ValueRoot, type PathStep, type EventRulesResult,
} from "./event-rules.js";
