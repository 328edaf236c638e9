export { NAMESPACE, AGGREGATION_TYPES, type AggregationType, type PrincipalType, type RawConfig, type RawTenant } from "./schema";
export {
  ConfigError,
  validateConfig,
  type ProgramConfig,
  type PlatformSettings,
  type TenantConfig,
  type Topology,
  type ValidationContext,
} from "./validate";
export { readRawConfig } from "./read";
