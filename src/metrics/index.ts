// One import for the node's observability pieces.
export { NodeMetrics, type MetricsSnapshot, type NodeMetricsOptions } from './node-metrics.js';
export { clusterHealth, nodesUp, type ClusterHealth, type HealthLevel, type NodeUp } from './health.js';
export { methodLabel, nodeLabels, UNMATCHED_ROUTE } from './labels.js';
export { instrumentProvider, instrumentProviderFactory, type ProviderCall, type ProviderAction } from './provider-calls.js';
