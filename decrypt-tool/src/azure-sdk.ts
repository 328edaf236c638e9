// The Azure SDKs take ~0.25 s and ~40 MB to load; a local drop with a PEM key needs none of them, so each
// is required on first use instead of at startup.
/* eslint-disable @typescript-eslint/no-require-imports */

/** `@azure/storage-blob`, loaded on first use. */
export function storageBlobSdk(): typeof import("@azure/storage-blob") {
  return require("@azure/storage-blob") as typeof import("@azure/storage-blob");
}

/** `@azure/identity`, loaded on first use. */
export function identitySdk(): typeof import("@azure/identity") {
  return require("@azure/identity") as typeof import("@azure/identity");
}

/** `@azure/keyvault-keys`, loaded on first use. */
export function keyVaultKeysSdk(): typeof import("@azure/keyvault-keys") {
  return require("@azure/keyvault-keys") as typeof import("@azure/keyvault-keys");
}

/** `@azure/arm-datafactory`, loaded on first use (`run` and `status`). */
export function dataFactorySdk(): typeof import("@azure/arm-datafactory") {
  return require("@azure/arm-datafactory") as typeof import("@azure/arm-datafactory");
}
