export { allHealthy, fleetStatus, type FleetStatusOptions } from "./fleet-status";
export { DEFAULT_HEALTH_RULES, problemsOf, type HealthRules, type RunSummary, type TenantStatus } from "./tenant-status";
