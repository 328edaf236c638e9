import { ConfigError } from "./errors";
import { graphDataConnectRegion, unsupportedRegionRule } from "./graph-data-connect/regions";
import { STORAGE_ACCOUNT_NAME } from "./names";

/** One region the platform serves and the name of its drop storage account. */
export interface RegionalStorage {
  location: string;
  accountName: string;
}

/** What the regions rules read from the raw platform settings. */
export interface RegionSettings {
  location: string;
  regions?: string[];
  /** The account name set in config; undefined when derived from namePrefix and the stack. */
  storageAccountName?: string;
}

/** Fails with the field's name unless Graph Data Connect moves data into `region`. */
export function checkGraphDataConnectRegion(region: string, field: string): void {
  if (!graphDataConnectRegion(region)) throw new ConfigError(field, unsupportedRegionRule(region));
}

/**
 * The regions a platform serves (`regions`, default `[location]`), each with its storage account,
 * `location` first.
 * The account in `location` keeps the stack's storage account name (so the account of a stack
 * deployed before regions existed stays where it is); any other region's account is that name plus
 * the region's code, e.g. contosodev + ne for northeurope.
 */
export function regionalStorage(settings: RegionSettings, derivedAccountName: string): RegionalStorage[] {
  checkGraphDataConnectRegion(settings.location, "location");
  const regions = settings.regions ?? [settings.location];
  if (regions.length === 0) throw new ConfigError("regions", `must list at least one region (e.g. [${settings.location}])`);
  const seen = new Set<string>();
  regions.forEach((region, index) => {
    checkGraphDataConnectRegion(region, `regions[${index}]`);
    if (seen.has(region)) throw new ConfigError(`regions[${index}]`, `lists ${region} twice (one storage account per region)`);
    seen.add(region);
  });
  if (!seen.has(settings.location)) {
    throw new ConfigError("regions", `must include location (${settings.location}): the resource group and the vault live there, and tenants without a location of their own use it`);
  }
  const base = settings.storageAccountName ?? derivedAccountName;
  // The home region first: its account carries the name itself, so a bad name is reported as such.
  const ordered = [settings.location, ...regions.filter((r) => r !== settings.location)];
  return ordered.map((location) => ({ location, accountName: accountNameFor(base, location, settings) }));
}

function accountNameFor(base: string, location: string, settings: RegionSettings): string {
  const name = location === settings.location ? base : `${base}${graphDataConnectRegion(location)!.code}`;
  if (STORAGE_ACCOUNT_NAME.test(name)) return name;
  const derived = settings.storageAccountName === undefined;
  if (location === settings.location) {
    const how = derived ? `namePrefix and the stack name give the account name "${name}" for ${location}; set storageAccountName explicitly` : `"${name}" breaks the rule`;
    throw new ConfigError("storageAccountName", `${STORAGE_ACCOUNT_NAME.rule}: ${how}`);
  }
  const origin = derived ? "namePrefix and the stack name give" : "it gives";
  const limit = 24 - (name.length - base.length);
  throw new ConfigError("storageAccountName", `${STORAGE_ACCOUNT_NAME.rule}: ${origin} the account name "${name}" for ${location}; set a storageAccountName of at most ${limit} characters`);
}

/**
 * Fails unless `region` is one the platform serves; the error names the tenant's setting and the
 * platform's `regions`. `platformStack` is set in a customer stack (the regions are the platform
 * stack's, read from its outputs).
 */
export function checkServedRegion(region: string, field: string, served: readonly string[], platformStack?: string): void {
  if (served.includes(region)) return;
  const where = platformStack === undefined ? "this stack" : `the platform stack ${platformStack}`;
  const fix =
    platformStack === undefined
      ? "add it to viva-partner:regions to give it a storage account"
      : "add it to viva-partner:regions of that stack and run pulumi up there first";
  throw new ConfigError(field, `${region} is not one of the regions ${where} serves (viva-partner:regions: ${served.join(", ")}); ${fix}`);
}
