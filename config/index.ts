export { NAMESPACE, AGGREGATION_TYPES, type AggregationType, type RawConfig, type RawTenant } from "./schema";
export {
  ConfigError,
  validateConfig,
  DEFAULT_TRIGGER_START,
  DEFAULT_TRIGGER_TIME,
  DEFAULT_LOOKBACK_DAYS,
  DEFAULT_AGGREGATION,
  type ProgramConfig,
  type PlatformSettings,
  type TenantConfig,
  type Topology,
  type ValidationContext,
} from "./validate";
export { readRawConfig } from "./read";
