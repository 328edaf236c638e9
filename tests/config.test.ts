import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, readRawConfig, validateConfig } from "../config";
import { PERSON_REPORT_COLUMNS, USER_COLUMNS } from "../config/graph-data-connect/columns";
import { GRAPH_DATA_CONNECT_REGIONS } from "../config/graph-data-connect/regions";
import { FABRIKAM as T1, NORTHWIND as T2, NOW } from "./helpers/plan";

function platform(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    location: "westeurope",
    namePrefix: "contoso",
    appSecretEndDate: "2027-11-25",
    tenants: [{ id: T1, keyExpiresOn: "2027-11-01" }],
    ...overrides,
  };
}

function tenant(overrides: Record<string, unknown>): Record<string, unknown> {
  return platform({ tenants: [{ id: T1, keyExpiresOn: "2027-11-01", ...overrides }] });
}

const keyPair = (type: "rsa" | "ec", bits = 2048) =>
  (type === "rsa"
    ? generateKeyPairSync("rsa", { modulusLength: bits, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } })
    : generateKeyPairSync("ec", { namedCurve: "P-256", privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } })
  ).privateKey;
const RSA_2048 = keyPair("rsa");
const RSA_1024 = keyPair("rsa", 1024);
const EC_P256 = keyPair("ec");

function errorOf(raw: Record<string, unknown>, stack = "dev"): ConfigError {
  try {
    validateConfig(raw, { stack, now: NOW });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("validateConfig: defaults", () => {
  it("applies the seed's defaults and derives per-stack names", () => {
    const cfg = validateConfig(platform(), { stack: "dev", now: NOW });
    expect(cfg.topology).toEqual({
      kind: "single",
      platform: {
        location: "westeurope",
        resourceGroupName: "contoso-dev-rg",
        storage: [{ location: "westeurope", accountName: "contosodev" }],
        vaultName: "contoso-dev-kv",
        appDisplayName: "contoso Viva Insights connector",
        appSecretStartDate: undefined,
        appSecretEndDate: "2027-11-25T00:00:00Z",
        deployerPrincipalType: "User",
        blobSoftDeleteDays: 14,
      },
    });
    expect(cfg.tenants).toEqual([
      {
        id: T1,
        label: undefined,
        keyExpiresOn: "2027-11-01",
        keyRotation: 0,
        adoptExistingKey: false,
        importKeyPem: undefined,
        aggregationType: "Week",
        lookbackDays: 14,
        requestWindow: undefined,
        triggerTime: { hour: 3, minute: 0 },
        usersDataset: false,
        notifyUrl: undefined,
        factoryName: `contoso-dev-${T1}`,
        location: "westeurope",
        locationField: "location",
        paused: false,
        personReportColumns: PERSON_REPORT_COLUMNS,
        userColumns: USER_COLUMNS,
        notifyAudience: undefined,
      },
    ]);
    expect(cfg.triggerStartTime).toBe("2026-01-05T00:00:00Z");
    expect(cfg.keys).toEqual({ lifetime: "P1Y", rotateBefore: "P30D", notifyBefore: "P7D" });
    expect(cfg.readers).toEqual([]);
  });

  it("takes a tenant with only its id: the key then lasts keyLifetime from its creation", () => {
    const cfg = validateConfig(platform({ tenants: [{ id: T1 }], keyLifetime: "P2Y", keyRotateBefore: "P60D", keyNotifyBefore: "P14D" }), { stack: "dev", now: NOW });
    expect(cfg.tenants[0]).toMatchObject({ id: T1, keyExpiresOn: undefined, keyRotation: 0, adoptExistingKey: false });
    expect(cfg.keys).toEqual({ lifetime: "P2Y", rotateBefore: "P60D", notifyBefore: "P14D" });
  });

  it("reads readers with their defaults, and keeps adoptExistingKey and importKeyPem per tenant", () => {
    const pem = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
    const reader = "1b2c3d4e-0000-4000-8000-000000000001";
    const cfg = validateConfig(
      platform({
        readers: [{ principalId: reader.toUpperCase() }, { principalId: "1b2c3d4e-0000-4000-8000-000000000002", principalType: "Group", deletesDrops: true }],
        tenants: [{ id: T1, adoptExistingKey: true, importKeyPem: pem }],
      }),
      { stack: "dev", now: NOW },
    );
    expect(cfg.readers).toEqual([
      { principalId: reader, principalType: "ServicePrincipal", deletesDrops: false },
      { principalId: "1b2c3d4e-0000-4000-8000-000000000002", principalType: "Group", deletesDrops: true },
    ]);
    expect(cfg.tenants[0]).toMatchObject({ adoptExistingKey: true, importKeyPem: pem });
  });

  it("lets the offline plan through with an unreadable secret PEM, and only the plan", () => {
    const raw = platform({ tenants: [{ id: T1, importKeyPem: "[secret]" }, { id: T2, importKeyPem: "[secret]" }] });
    expect(validateConfig(raw, { stack: "dev", now: NOW, unreadableSecrets: true }).tenants.map((t) => t.importKeyPem)).toEqual(["[secret]", "[secret]"]);
    expect(() => validateConfig(raw, { stack: "dev", now: NOW })).toThrow("viva-partner:tenants[0].importKeyPem: must be a PEM private key");
  });

  it("derives the secret end date one year after appSecretStartDate, independent of the clock", () => {
    const raw = platform({ appSecretEndDate: undefined, appSecretStartDate: "2026-11-02" });
    const early = validateConfig(raw, { stack: "dev", now: new Date("2026-11-03T00:00:00Z") });
    const late = validateConfig(raw, { stack: "dev", now: new Date("2027-06-01T00:00:00Z") });
    for (const cfg of [early, late]) {
      expect(cfg.topology.kind === "single" && cfg.topology.platform.appSecretEndDate).toBe("2027-11-02T00:00:00Z");
      expect(cfg.topology.kind === "single" && cfg.topology.platform.appSecretStartDate).toBe("2026-11-02T00:00:00Z");
    }
  });

  it("lower-cases tenant ids and keeps per-tenant settings", () => {
    const cfg = validateConfig(
      tenant({
        id: T1.toUpperCase(),
        label: "Fabrikam",
        keyRotation: 2,
        aggregationType: "Month",
        lookbackDays: 40,
        requestStartDate: "2026-06-01",
        requestEndDate: "2026-07-01",
        triggerTime: "23:59",
        usersDataset: true,
        notifyUrl: "https://example.com/hook",
      }),
      { stack: "dev", now: NOW },
    );
    expect(cfg.tenants[0]).toMatchObject({
      id: T1,
      label: "Fabrikam",
      keyRotation: 2,
      aggregationType: "Month",
      lookbackDays: 40,
      requestWindow: { start: "2026-06-01T00:00:00Z", end: "2026-07-01T00:00:00Z" },
      triggerTime: { hour: 23, minute: 59 },
      usersDataset: true,
      notifyUrl: "https://example.com/hook",
    });
  });

  it("serves the regions listed: one account each, the home region's keeps the stack's account name", () => {
    const cfg = validateConfig(
      platform({ regions: ["westeurope", "northeurope", "uksouth"], tenants: [{ id: T1, keyExpiresOn: "2027-11-01" }, { id: T2, keyExpiresOn: "2027-11-01", location: "uksouth" }] }),
      { stack: "dev", now: NOW },
    );
    expect(cfg.topology.kind === "single" && cfg.topology.platform.storage).toEqual([
      { location: "westeurope", accountName: "contosodev" },
      { location: "northeurope", accountName: "contosodevne" },
      { location: "uksouth", accountName: "contosodevuks" },
    ]);
    expect(cfg.tenants.map((t) => [t.location, t.locationField])).toEqual([
      ["westeurope", "location"],
      ["uksouth", "tenants[1].location"],
    ]);
    const named = validateConfig(platform({ regions: ["westeurope", "northeurope"], storageAccountName: "fabdrops" }), { stack: "dev", now: NOW });
    expect(named.topology.kind === "single" && named.topology.platform.storage.map((s) => s.accountName)).toEqual(["fabdrops", "fabdropsne"]);
  });

  it("keeps pause, consented columns and notify audience per tenant; columns the sample does not know carry no type", () => {
    const cfg = validateConfig(
      tenant({
        paused: true,
        usersDataset: true,
        userColumns: ["id", "mail"],
        personReportColumns: ["MetricDate", "Collaboration hours", "Org"],
        notifyUrl: "https://example.com/hook",
        notifyAudience: "api://contoso-viva-drops",
      }),
      { stack: "dev", now: NOW },
    );
    expect(cfg.tenants[0]).toMatchObject({
      paused: true,
      userColumns: ["id", "mail"],
      personReportColumns: [{ name: "MetricDate", type: "datetime" }, { name: "Collaboration hours", type: "double" }, { name: "Org" }],
      notifyAudience: "api://contoso-viva-drops",
    });
    expect(validateConfig(tenant({ notifyUrl: "https://example.com/hook", notifyAudience: T2 }), { stack: "dev", now: NOW }).tenants[0].notifyAudience).toBe(T2);
  });

  it("has a region table with one unique account-name code per region", () => {
    const codes = GRAPH_DATA_CONNECT_REGIONS.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const r of GRAPH_DATA_CONNECT_REGIONS) expect(r.code).toMatch(/^[a-z0-9]{2,5}$/);
  });

  it("reads a customer stack: platformStack set, only tenants", () => {
    const cfg = validateConfig({ platformStack: "acme/viva-partner/prod", namePrefix: "contoso", tenants: [{ id: T2, keyExpiresOn: "2027-01-01" }] }, { stack: "fabrikam", now: NOW });
    expect(cfg.topology).toEqual({ kind: "customer", platformStack: "acme/viva-partner/prod", location: undefined });
    expect(cfg.tenants[0].factoryName).toBe(`contoso-fabrikam-${T2}`);
    // The platform's location applies at run time; the customer stack's own location when set.
    expect(cfg.tenants[0]).toMatchObject({ location: undefined, locationField: "location" });
    const located = validateConfig(
      { platformStack: "prod", namePrefix: "contoso", location: "northeurope", tenants: [{ id: T2, keyExpiresOn: "2027-01-01" }, { id: T1, keyExpiresOn: "2027-01-01", location: "westeurope" }] },
      { stack: "fabrikam", now: NOW },
    );
    expect(located.tenants.map((t) => [t.location, t.locationField])).toEqual([["northeurope", "location"], ["westeurope", "tenants[1].location"]]);
  });

  it("readRawConfig keeps only the namespace and parses the tenant list", () => {
    const raw = readRawConfig({
      "viva-partner:namePrefix": "contoso",
      "viva-partner:tenants": JSON.stringify([{ id: T1 }]),
      "azure-native:location": "westeurope",
    });
    expect(raw).toEqual({ namePrefix: "contoso", tenants: [{ id: T1 }] });
    expect(readRawConfig({ "viva-partner:regions": '["westeurope","northeurope"]', "viva-partner:constructor": "x" })).toEqual({
      regions: ["westeurope", "northeurope"],
      constructor: "x",
    });
  });
});

describe("validateConfig: one message naming the field and the rule", () => {
  const cases: [string, Record<string, unknown>, string, string?][] = [
    ["malformed tenant id", tenant({ id: "not-a-guid" }), "viva-partner:tenants[0].id: must be a tenant GUID"],
    [
      "duplicate tenant id (case-insensitive)",
      platform({ tenants: [{ id: T1, keyExpiresOn: "2027-01-01" }, { id: T1.toUpperCase(), keyExpiresOn: "2027-01-01" }] }),
      `viva-partner:tenants[1].id: duplicate tenant id ${T1} (also tenants[0])`,
    ],
    ["missing tenant id", platform({ tenants: [{ label: "Fabrikam" }] }), "viva-partner:tenants[0].id: is required: must be the customer's tenant GUID"],
    ["missing reader principal", platform({ readers: [{ deletesDrops: true }] }), "viva-partner:readers[0].principalId: is required: must be the principal's object id (GUID)"],
    ["key expiry of the wrong type", tenant({ keyExpiresOn: 2027 }), "viva-partner:tenants[0].keyExpiresOn: must be a string holding an ISO 8601 date"],
    ["key lifetime not a duration", platform({ keyLifetime: "1 year" }), "viva-partner:keyLifetime: must be an ISO 8601 duration of days, weeks, months or years"],
    ["key lifetime with hours", platform({ keyLifetime: "PT24H" }), "viva-partner:keyLifetime: must be an ISO 8601 duration"],
    ["key lifetime under 28 days", platform({ keyLifetime: "P3W" }), "viva-partner:keyLifetime: must be at least 28 days (Key Vault's minimum expiryTime); it is P3W"],
    ["rotation under 7 days before expiry", platform({ keyRotateBefore: "P6D" }), "viva-partner:keyRotateBefore: must be at least 7 days"],
    ["rotation too close to creation", platform({ keyLifetime: "P1M", keyRotateBefore: "P25D" }), "viva-partner:keyRotateBefore: must leave at least 7 days of keyLifetime before the rotation (Key Vault rotates no earlier than 7 days after creation); it is P25D with keyLifetime P1M"],
    ["notice not before expiry", platform({ keyLifetime: "P30D", keyRotateBefore: "P7D", keyNotifyBefore: "P1M" }), "viva-partner:keyNotifyBefore: must be shorter than keyLifetime"],
    ["deployer given as a group", platform({ deployerPrincipalType: "Group" }), "viva-partner:deployerPrincipalType: must be User or ServicePrincipal: the deployer's role goes to the identity running `pulumi up` itself (getClientConfig's objectId), which is never a group"],
    ["reader with an unknown type", platform({ readers: [{ principalId: T2, principalType: "App" }] }), "viva-partner:readers[0].principalType: must be one of User, ServicePrincipal, Group"],
    ["duplicate reader", platform({ readers: [{ principalId: T2 }, { principalId: T2.toUpperCase() }] }), `viva-partner:readers[1].principalId: duplicate reader ${T2} (also readers[0])`],
    ["adoptExistingKey not boolean", tenant({ adoptExistingKey: "yes" }), "viva-partner:tenants[0].adoptExistingKey: must be true or false"],
    ["PEM that is not a private key", tenant({ importKeyPem: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----" }), "viva-partner:tenants[0].importKeyPem: must be a PEM private key"],
    ["PEM of a short RSA key", tenant({ importKeyPem: RSA_1024 }), "viva-partner:tenants[0].importKeyPem: must be an RSA key of at least 2048 bits, not 1024"],
    ["PEM of an EC key", tenant({ importKeyPem: EC_P256 }), "viva-partner:tenants[0].importKeyPem: must be an RSA key, not ec"],
    [
      "the same PEM for two tenants",
      platform({ tenants: [{ id: T1, importKeyPem: RSA_2048 }, { id: T2, importKeyPem: RSA_2048.replace("PRIVATE KEY-----\n", "PRIVATE KEY-----\r\n") }] }),
      "viva-partner:tenants[1].importKeyPem: is the same key as tenants[0].importKeyPem: each tenant needs its own key",
    ],
    ["malformed key expiry", tenant({ keyExpiresOn: "next year" }), "viva-partner:tenants[0].keyExpiresOn: must be an ISO 8601 date"],
    ["key expiry without a zone", tenant({ keyExpiresOn: "2027-01-01T00:00:00" }), "viva-partner:tenants[0].keyExpiresOn: must be an ISO 8601 date"],
    ["impossible calendar date", tenant({ keyExpiresOn: "2027-02-30" }), "viva-partner:tenants[0].keyExpiresOn: must be an ISO 8601 date"],
    ["impossible calendar date in a date-time", tenant({ keyExpiresOn: "2027-02-30T00:00:00Z" }), "viva-partner:tenants[0].keyExpiresOn: must be an ISO 8601 date"],
    ["past key expiry", tenant({ keyExpiresOn: "2026-11-24" }), "viva-partner:tenants[0].keyExpiresOn: must be in the future (2026-11-24 has passed)"],
    ["aggregation outside Day|Week|Month", tenant({ aggregationType: "Year" }), "viva-partner:tenants[0].aggregationType: must be one of Day, Week, Month"],
    [
      "fixed window shorter than a week",
      tenant({ requestStartDate: "2026-06-01", requestEndDate: "2026-06-07" }),
      "viva-partner:tenants[0].requestEndDate: must be at least one week after requestStartDate for aggregationType Week",
    ],
    [
      "fixed window shorter than a month",
      tenant({ aggregationType: "Month", lookbackDays: 31, requestStartDate: "2026-01-31", requestEndDate: "2026-02-28" }),
      "viva-partner:tenants[0].requestEndDate: must be at least one month after requestStartDate for aggregationType Month",
    ],
    ["start without end", tenant({ requestStartDate: "2026-06-01" }), "viva-partner:tenants[0].requestEndDate: is required when requestStartDate is set"],
    ["end without start", tenant({ requestEndDate: "2026-06-01" }), "viva-partner:tenants[0].requestStartDate: is required when requestEndDate is set"],
    ["lookback shorter than the period", tenant({ lookbackDays: 5 }), "viva-partner:tenants[0].lookbackDays: must be at least 7 days for aggregationType Week"],
    ["lookback out of range", tenant({ lookbackDays: 0 }), "viva-partner:tenants[0].lookbackDays: must be a whole number from 1 to 365"],
    ["non-https notify URL", tenant({ notifyUrl: "http://example.com/hook" }), "viva-partner:tenants[0].notifyUrl: must use https"],
    ["notify URL not a URL", tenant({ notifyUrl: "example.com/hook" }), "viva-partner:tenants[0].notifyUrl: must be an absolute https URL"],
    ["bad trigger time", tenant({ triggerTime: "24:00" }), 'viva-partner:tenants[0].triggerTime: must be a time "HH:MM" from 00:00 to 23:59'],
    ["usersDataset not boolean", tenant({ usersDataset: "yes" }), "viva-partner:tenants[0].usersDataset: must be true or false"],
    ["unknown tenant setting", tenant({ notifyURL: "https://x" }), "viva-partner:tenants[0].notifyURL: is not a known setting"],
    ["unknown top-level setting", platform({ vaultname: "x" }), "viva-partner:vaultname: is not a known setting"],
    ["missing namePrefix", platform({ namePrefix: undefined }), "viva-partner:namePrefix: is required"],
    [
      "storage name too long",
      platform({ storageAccountName: "contosovivainsightsdrops1" }),
      'viva-partner:storageAccountName: storage account names are 3-24 lowercase letters and digits, unique across Azure: "contosovivainsightsdrops1" breaks the rule',
    ],
    ["storage name with upper case", platform({ storageAccountName: "ContosoDrops" }), "viva-partner:storageAccountName: storage account names are 3-24 lowercase letters and digits"],
    [
      "derived storage name too long",
      platform({ namePrefix: "contosoviva", tenants: [] }),
      'viva-partner:storageAccountName: storage account names are 3-24 lowercase letters and digits, unique across Azure: namePrefix and the stack name give the account name "contosovivaproductioneurope" for westeurope; set storageAccountName explicitly',
      "production-europe",
    ],
    [
      "another region's account name too long",
      platform({ storageAccountName: "contosovivadropsprod01", regions: ["westeurope", "southeastasia"], tenants: [] }),
      'viva-partner:storageAccountName: storage account names are 3-24 lowercase letters and digits, unique across Azure: it gives the account name "contosovivadropsprod01sea" for southeastasia; set a storageAccountName of at most 21 characters',
    ],
    ["location Graph Data Connect does not serve", platform({ location: "westus3" }), 'viva-partner:location: "westus3" is not an Azure region Graph Data Connect moves data into; use one of eastasia, southeastasia,'],
    ["region Graph Data Connect does not serve", platform({ regions: ["westeurope", "swedencentral"] }), 'viva-partner:regions[1]: "swedencentral" is not an Azure region Graph Data Connect moves data into'],
    ["upper-case storage name with another region listed first", platform({ storageAccountName: "ContosoDrops", regions: ["northeurope", "westeurope"] }), 'viva-partner:storageAccountName: storage account names are 3-24 lowercase letters and digits, unique across Azure: "ContosoDrops" breaks the rule'],
    ["region listed twice", platform({ regions: ["westeurope", "northeurope", "westeurope"] }), "viva-partner:regions[2]: lists westeurope twice (one storage account per region)"],
    ["no regions", platform({ regions: [] }), "viva-partner:regions: must list at least one region (e.g. [westeurope])"],
    ["regions without the stack's location", platform({ regions: ["northeurope"] }), "viva-partner:regions: must include location (westeurope): the resource group and the vault live there"],
    ["regions not a list", platform({ regions: "westeurope" }), "viva-partner:regions: must be a list of Azure regions"],
    ["tenant location unsupported", tenant({ location: "westus3" }), 'viva-partner:tenants[0].location: "westus3" is not an Azure region Graph Data Connect moves data into'],
    ["tenant location malformed", tenant({ location: "West Europe" }), "viva-partner:tenants[0].location: must be an Azure region name such as westeurope"],
    [
      "tenant in a region the stack does not serve",
      platform({ regions: ["westeurope", "northeurope"], tenants: [{ id: T1, keyExpiresOn: "2027-11-01" }, { id: T2, keyExpiresOn: "2027-11-01", location: "uksouth" }] }),
      "viva-partner:tenants[1].location: uksouth is not one of the regions this stack serves (viva-partner:regions: westeurope, northeurope); add it to viva-partner:regions to give it a storage account",
    ],
    [
      "customer stack with an unsupported location",
      { platformStack: "prod", namePrefix: "contoso", location: "westus3", tenants: [{ id: T1, keyExpiresOn: "2027-01-01" }] },
      'viva-partner:location: "westus3" is not an Azure region Graph Data Connect moves data into',
    ],
    [
      "regions in a customer stack",
      { platformStack: "prod", namePrefix: "contoso", regions: ["westeurope"], tenants: [{ id: T1, keyExpiresOn: "2027-01-01" }] },
      "viva-partner:regions: is a platform setting and is not allowed when platformStack is set",
    ],
    ["paused not boolean", tenant({ paused: "yes" }), "viva-partner:tenants[0].paused: must be true or false"],
    ["empty PersonReport column list", tenant({ personReportColumns: [] }), "viva-partner:tenants[0].personReportColumns: must list at least one column"],
    [
      "PersonReport column repeated",
      tenant({ personReportColumns: ["MetricDate", "Email hours", "Email hours"] }),
      'viva-partner:tenants[0].personReportColumns: repeats the column "Email hours": list each column once',
    ],
    [
      "PersonReport column repeated in another case",
      tenant({ personReportColumns: ["MetricDate", "Email hours", "email Hours"] }),
      'viva-partner:tenants[0].personReportColumns: repeats the column "email Hours" (as "Email hours"): list each column once',
    ],
    [
      "PersonReport columns without the date column",
      tenant({ personReportColumns: ["Email hours"] }),
      "viva-partner:tenants[0].personReportColumns: must include MetricDate: the extraction window filters on it (dateFilterColumn)",
    ],
    ["blank column name", tenant({ personReportColumns: ["MetricDate", " "] }), "viva-partner:tenants[0].personReportColumns[1]: must not hold an empty column name"],
    ["column list not a list", tenant({ usersDataset: true, userColumns: "mail" }), "viva-partner:tenants[0].userColumns: must be a list of column names"],
    ["empty user column list", tenant({ usersDataset: true, userColumns: [] }), "viva-partner:tenants[0].userColumns: must list at least one column"],
    ["user column repeated", tenant({ usersDataset: true, userColumns: ["mail", "id", "mail"] }), 'viva-partner:tenants[0].userColumns: repeats the column "mail": list each column once'],
    ["user columns without the users dataset", tenant({ userColumns: ["mail"] }), "viva-partner:tenants[0].userColumns: only applies with usersDataset: true"],
    ["notify audience without a notify URL", tenant({ notifyAudience: T2 }), "viva-partner:tenants[0].notifyAudience: only applies with notifyUrl"],
    [
      "notify audience neither GUID nor URI",
      tenant({ notifyUrl: "https://example.com/hook", notifyAudience: "contoso drops" }),
      'viva-partner:tenants[0].notifyAudience: must be an application id (GUID) or an identifier URI such as api://contoso-viva-drops, got "contoso drops"',
    ],
    [
      "notify audience over http",
      tenant({ notifyUrl: "https://example.com/hook", notifyAudience: "http://contoso.example" }),
      "viva-partner:tenants[0].notifyAudience: must be an application id (GUID) or an identifier URI",
    ],
    ["vault name too long", platform({ vaultName: "contoso-viva-insights-kv1" }), "viva-partner:vaultName: vault names are 3-24"],
    ["vault name with double hyphen", platform({ vaultName: "contoso--kv" }), "viva-partner:vaultName: vault names are 3-24"],
    ["factory name too long", platform({ factoryNamePrefix: "contoso-viva-insights-exports-x" }), "viva-partner:factoryNamePrefix: gives the factory name"],
    ["missing location", platform({ location: undefined }), "viva-partner:location: is required on a platform stack"],
    ["missing secret end date", platform({ appSecretEndDate: undefined }), "viva-partner:appSecretEndDate: is required on a platform stack: set appSecretEndDate (e.g. 2027-11-25)"],
    ["past secret end date", platform({ appSecretEndDate: "2026-11-01" }), "viva-partner:appSecretEndDate: must be in the future"],
    ["secret start a year ago", platform({ appSecretEndDate: undefined, appSecretStartDate: "2025-11-01" }), "viva-partner:appSecretStartDate: one year after it lies in the past"],
    ["secret end before start", platform({ appSecretStartDate: "2027-12-01", appSecretEndDate: "2027-11-01" }), "viva-partner:appSecretEndDate: must be after appSecretStartDate"],
    ["tenants not a list", platform({ tenants: { id: T1 } }), "viva-partner:tenants: must be a list of tenants"],
    [
      "derived vault name too long",
      platform({ namePrefix: "contosoviva", tenants: [] }),
      'viva-partner:vaultName: vault names are 3-24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit: the derived name "contosoviva-production-eu-kv"',
      "production-eu",
    ],
    ["vault name starting with a digit", platform({ vaultName: "1contoso-kv" }), "viva-partner:vaultName: vault names are 3-24"],
    ["factory prefix with an underscore", platform({ factoryNamePrefix: "contoso_adf" }), 'viva-partner:factoryNamePrefix: gives the factory name "contoso_adf-'],
    ["notify URL with a function key", tenant({ notifyUrl: "https://fn.example.net/api/drop?code=abc123" }), "viva-partner:tenants[0].notifyUrl: must not carry a secret in its query (code=…)"],
    ["notify URL with a SAS signature", tenant({ notifyUrl: "https://q.example.net/hook?sv=2024&Sig=abc" }), "viva-partner:tenants[0].notifyUrl: must not carry a secret in its query (Sig=…)"],
    ["notify URL with credentials", tenant({ notifyUrl: "https://user:pw@hooks.example.com/viva" }), "viva-partner:tenants[0].notifyUrl: must not carry credentials in the URL"],
    ["trigger time not HH:MM", tenant({ triggerTime: "4:30" }), 'viva-partner:tenants[0].triggerTime: must be a time "HH:MM"'],
    ["negative key rotation", tenant({ keyRotation: -1 }), "viva-partner:tenants[0].keyRotation: must be a whole number from 0 to 1000000"],
    ["aggregation in lower case", tenant({ aggregationType: "week" }), "viva-partner:tenants[0].aggregationType: must be one of Day, Week, Month"],
    ["fixed window shorter than a day", tenant({ aggregationType: "Day", lookbackDays: 1, requestStartDate: "2026-06-01T00:00:00Z", requestEndDate: "2026-06-01T12:00:00Z" }), "viva-partner:tenants[0].requestEndDate: must be at least one day after requestStartDate"],
    [
      "platform setting in a customer stack",
      { platformStack: "prod", namePrefix: "contoso", vaultName: "contoso-kv", tenants: [{ id: T1, keyExpiresOn: "2027-01-01" }] },
      "viva-partner:vaultName: is a platform setting and is not allowed when platformStack is set",
    ],
    ["customer stack without tenants", { platformStack: "prod", namePrefix: "contoso" }, "viva-partner:tenants: a customer stack (platformStack set) needs at least one tenant"],
    ["malformed platformStack", { platformStack: "a/b/c/d", namePrefix: "contoso", tenants: [] }, "viva-partner:platformStack: must be a stack name"],
  ];

  it.each(cases)("%s", (_title, raw, expected, stack = "dev") => {
    const error = errorOf(raw, stack);
    expect(error.message.startsWith(expected), `${error.message}\n  should start with\n${expected}`).toBe(true);
    expect(error.message.split("\n")).toHaveLength(1);
  });

  it("reports malformed tenant list JSON from the Pulumi config store", () => {
    expect(() => readRawConfig({ "viva-partner:tenants": "[{" })).toThrow("viva-partner:tenants: must be a YAML list of tenant objects");
    // `pulumi config set viva-partner:regions westeurope` stores plain text, not a list.
    expect(() => readRawConfig({ "viva-partner:regions": "westeurope" })).toThrow("viva-partner:regions: must be a YAML list of Azure regions");
  });
});
