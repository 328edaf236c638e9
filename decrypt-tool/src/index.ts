/**
 * viva-drop as a library: read, verify and decrypt Microsoft Viva Insights data drops.
 *
 * ```ts
 * const drop = await openDrop("https://acct.blob.core.windows.net/<tenant>/<run>", { keyVaultUrl: "https://kv.vault.azure.net" });
 * for await (const row of drop.rows()) console.log(row.PersonId);
 * ```
 *
 * `simulateDrop` writes drops exactly as the service delivers them, for prototyping and tests.
 */
export * from "./errors";
export * from "./drop";
export * from "./list-drops";
export * from "./source/index";
export * from "./metadata/index";
export * from "./key/index";
export * from "./decrypt/index";
export * from "./simulate/index";
export * from "./ingest/index";
