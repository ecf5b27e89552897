export * from "./schema.js";
export { collectConfigIssues, resolveConfig } from "./validate.js";
export { CONFIG_FILE, findConfigFile, loadConfig, readConfigFile, type LoadedConfig } from "./load.js";
export {
  validateEventRules, parseValueSource, findUnmatchedRules, rulePath, EVENT_NAMES, VALUE_ROOTS, EACH,
  type EventName, type EventRule, type RouteRule, type RuleField, type ValueSource, type ValueRoot, type PathStep, type EventRulesResult,
} from "./event-rules.js";
