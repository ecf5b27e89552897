export * from "./canonical.js";
export * from "./categories.js";
export * from "./chain.js";
export * from "./entry.js";
export * from "./redact.js";
export * from "./anchor.js";
