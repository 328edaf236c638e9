import { describe, expect, it } from "vitest";
import { blobContainerPrivate } from "../../policy/blob-container";
import { blobSoftDelete } from "../../policy/blob-service";
import { storageAccountLockedDown } from "../../policy/storage-account";
import { changed, violations } from "./helpers";

const ACCOUNT = "azure-native:storage:StorageAccount";
/** What the program declares for each region's account. */
const validAccount: Record<string, unknown> = {
  accountName: "contosodev",
  resourceGroupName: "contoso-dev-rg",
  location: "westeurope",
  kind: "StorageV2",
  sku: { name: "Standard_LRS" },
  isHnsEnabled: true,
  enableHttpsTrafficOnly: true,
  minimumTlsVersion: "TLS1_2",
  allowBlobPublicAccess: false,
  allowSharedKeyAccess: false,
  defaultToOAuthAuthentication: true,
};

describe("storage-account-locked-down", () => {
  it("passes the hardened account, with TLS 1.2 or 1.3", async () => {
    expect(await violations(storageAccountLockedDown, ACCOUNT, validAccount)).toEqual([]);
    expect(await violations(storageAccountLockedDown, ACCOUNT, { ...validAccount, minimumTlsVersion: "TLS1_3" })).toEqual([]);
  });

  it.each([
    ["isHnsEnabled", false, 'isHnsEnabled must be true (ADLS Gen2, as Graph Data Connect writes it), is false'],
    ["enableHttpsTrafficOnly", false, "enableHttpsTrafficOnly must be true, is false"],
    ["minimumTlsVersion", "TLS1_1", 'minimumTlsVersion must be TLS1_2 or TLS1_3, is "TLS1_1"'],
    ["allowBlobPublicAccess", true, "allowBlobPublicAccess must be false, is true"],
    ["allowSharedKeyAccess", true, "allowSharedKeyAccess must be false (Entra ID only), is true"],
  ])("reports %s = %j, and only that", async (property, value, message) => {
    expect(await violations(storageAccountLockedDown, ACCOUNT, { ...validAccount, [property]: value })).toEqual([message]);
  });

  it("requires each setting to be stated: an absent one is a violation, not Azure's default", async () => {
    const bare = changed(validAccount, (a) => {
      for (const k of ["isHnsEnabled", "enableHttpsTrafficOnly", "minimumTlsVersion", "allowBlobPublicAccess", "allowSharedKeyAccess"]) delete a[k];
    });
    const found = await violations(storageAccountLockedDown, ACCOUNT, bare);
    expect(found.map((m) => m.split(" ")[0])).toEqual(["isHnsEnabled", "enableHttpsTrafficOnly", "minimumTlsVersion", "allowBlobPublicAccess", "allowSharedKeyAccess"]);
    expect(found.every((m) => m.endsWith("is not set"))).toBe(true);
  });

  it("ignores other resource types", async () => {
    expect(await violations(storageAccountLockedDown, "azure-native:storage:BlobContainer", { isHnsEnabled: false })).toEqual([]);
  });

  it("stops with the SDK's unknown-value error when a checked value is unknown (the server reports it as advisory)", async () => {
    await expect(violations(storageAccountLockedDown, ACCOUNT, { ...validAccount, minimumTlsVersion: { __pulumiUnknown: true } })).rejects.toThrow(
      "string value at .minimumTlsVersion can't be known during preview",
    );
  });
});

describe("blob-container-private", () => {
  const CONTAINER = "azure-native:storage:BlobContainer";
  const valid = { accountName: "contosodev", containerName: "t", publicAccess: "None", resourceGroupName: "rg" };

  it("passes a private container, stated or by default", async () => {
    expect(await violations(blobContainerPrivate, CONTAINER, valid)).toEqual([]);
    expect(await violations(blobContainerPrivate, CONTAINER, changed(valid, (c) => delete (c as Partial<typeof c>).publicAccess))).toEqual([]);
  });

  it.each(["Blob", "Container"])("reports publicAccess %s", async (level) => {
    expect(await violations(blobContainerPrivate, CONTAINER, { ...valid, publicAccess: level })).toEqual([`publicAccess must be "None" or not set, is "${level}"`]);
  });
});

describe("blob-soft-delete", () => {
  const SERVICE = "azure-native:storage:BlobServiceProperties";
  const valid = {
    accountName: "contosodev",
    blobServicesName: "default",
    deleteRetentionPolicy: { enabled: true, days: 14 },
    containerDeleteRetentionPolicy: { enabled: true, days: 14 },
  };

  it("is advisory", () => expect(blobSoftDelete.enforcementLevel).toBe("advisory"));

  it("passes soft delete for blobs and containers", async () => {
    expect(await violations(blobSoftDelete, SERVICE, valid)).toEqual([]);
  });

  it("reports blob soft delete off", async () => {
    const off = changed(valid, (s) => (s.deleteRetentionPolicy.enabled = false));
    expect(await violations(blobSoftDelete, SERVICE, off)).toEqual(["deleteRetentionPolicy.enabled should be true, is false"]);
  });

  it("reports container soft delete missing", async () => {
    const missing = changed(valid, (s) => delete (s as Partial<typeof s>).containerDeleteRetentionPolicy);
    expect(await violations(blobSoftDelete, SERVICE, missing)).toEqual(["containerDeleteRetentionPolicy.enabled should be true, is not set"]);
  });
});
