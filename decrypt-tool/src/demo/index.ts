export { runDemo, type DemoOptions, type DemoResult, type DemoDrop, type DemoStorage } from "./run-demo";
export { formatDemoSummary } from "./summary";
export { CleanupStack } from "./cleanup";
export { cleanupOnSignals, type SignalTrap } from "./signal-cleanup";
export { startAzurite, azuriteConnectionString, freeLoopbackPort, type RunningAzurite, type StartAzuriteOptions } from "./azurite";
export { HEADLINE_METRICS, MetricMeans, type MetricMean } from "./headline-metrics";
