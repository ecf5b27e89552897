// Prometheus metrics from monwire's catalog (docs/metrics.md). Register your own metrics on
// `registry` so they are served at the same endpoint. Written by `mon init`.
const { monitoring } = require("../middleware/monitoring{{ext}}");

module.exports = { registry: monitoring.registry, metrics: monitoring.metrics };
