/**
 * The library names options by their property name in backticks (`privateKeyPem`); the command line by its
 * flag. This is the one table between the two, used on every message the CLI prints. A backticked name
 * without a flag stays as it is.
 */
const FLAGS: Record<string, string> = {
  keyVaultUrl: "--key-vault",
  keyName: "--key-name",
  keyVersion: "--key-version",
  privateKeyPem: "--private-key",
  privateKeyPassphrase: "--passphrase-env",
  rsaPadding: "--rsa-padding",
  connectionString: "--connection-string (or AZURE_STORAGE_CONNECTION_STRING)",
  workers: "--workers",
  listDrops: "viva-drop list",
  // simulate
  input: "--input",
  tenantId: "--tenant",
  publicKeyPem: "--public-key",
  out: "--out",
  parts: "--parts",
  keyText: "--key-text",
  layout: "--layout",
  runFolder: "--run-folder",
  tableName: "--table-name",
  publicKeyVersion: "--public-key-version",
  requestStartDate: "--request-start-date",
  requestEndDate: "--request-end-date",
  applicationId: "--application-id",
};

/** `message` with each backticked library option name replaced by its command-line flag. */
export function inCliTerms(message: string): string {
  return message.replace(/`([A-Za-z]+)`/g, (whole, name: string) => (Object.hasOwn(FLAGS, name) ? FLAGS[name] : whole));
}
