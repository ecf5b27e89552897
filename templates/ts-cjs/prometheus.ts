// Prometheus metrics from monwire's catalog (docs/metrics.md). Register your own metrics on
// `registry` so they are served at the same endpoint. Written by `mon init`.
import { monitoring } from "../middleware/monitoring{{ext}}";

export const registry = monitoring.registry;
export const metrics = monitoring.metrics;
