export {
  NAMESPACE,
  AGGREGATION_TYPES,
  UNREADABLE_SECRET,
  type AggregationType,
  type DeployerPrincipalType,
  type PrincipalType,
  type RawConfig,
  type RawTenant,
} from "./schema";
export {
  ConfigError,
  DEFAULT_KEY_POLICY,
  validateConfig,
  type KeyPolicy,
  type ProgramConfig,
  type PlatformSettings,
  type ReaderConfig,
  type TenantConfig,
  type Topology,
  type ValidationContext,
} from "./validate";
export { readRawConfig } from "./read";
