import { readFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { DropError, describeError } from "../errors";
import { type KeyOptions, RSA_PADDINGS, type RsaPadding } from "../key/key-options";
import type { SourceOptions } from "../source/index";

/** The exit codes, appended to `viva-drop --help` and to the help of every command that reads a drop. */
export const EXIT_CODE_HELP = `
Exit codes:
  0  success
  1  unexpected error (a bug: please report it)
  2  usage: bad or conflicting options
  3  bad drop or source: not found, metadata missing or invalid, failed run, data file missing;
     run/status: Azure Data Factory cannot be reached or refuses (no sign-in, no access, not found)
  4  key problem: key unavailable or access denied, wrong key, unknown key text
  5  verification failed: wrong file key, tampering, truncation, bad JSON, row count mismatch
  6  the --output file or stdout could not be written
  7  run: the pipeline run failed, was cancelled, or did not finish within --timeout
  8  status: a tenant needs action (failed run, key or secret expiring, trigger stopped, no recent drop)
`;

/** Options every command that reads a drop accepts. */
export interface CommonCliOptions {
  connectionString?: string;
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
  workers?: string;
}

/** Key options as commander parses them. */
export interface KeyCliOptions {
  keyVault?: string;
  keyName?: string;
  keyVersion?: string;
  privateKey?: string;
  passphraseEnv?: string;
  rsaPadding?: RsaPadding;
}

/** Adds --connection-string, --quiet and --verbose. */
export function addCommonOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--connection-string <string>", "Azure Storage connection string (default: DefaultAzureCredential)").env("AZURE_STORAGE_CONNECTION_STRING"),
    )
    .option("-q, --quiet", "no progress and no notes on stderr (errors still print)")
    .option("-v, --verbose", "more detail on stderr: the key text encoding found (decrypt, verify), the stack of an unexpected error")
    .addHelpText("after", EXIT_CODE_HELP);
}

/** Adds --workers, for commands that read the data. */
export function addWorkersOption(command: Command): Command {
  return command.option("--workers <n>", "parser worker threads (default: CPU cores - 2, at most 4; 0 = validate on the main thread)");
}

/** Adds the key options: a Key Vault or a local PEM private key, and the RSA padding. */
export function addKeyOptions(command: Command): Command {
  return command
    .option("--key-vault <url>", "Azure Key Vault URI holding the tenant keys, e.g. https://contoso-keys.vault.azure.net (or a key identifier …/keys/<name>[/<version>])")
    .option("--key-name <name>", "key name in the vault (default: the drop's TenantId)")
    .option("--key-version <version>", "key version in the vault (default: the drop's PublicKeyVersion)")
    .option("--private-key <file>", "PEM file with the tenant's RSA private key (keys kept outside Key Vault)")
    .option("--passphrase-env <name>", "environment variable holding the passphrase of an encrypted --private-key")
    .addOption(
      new Option("--rsa-padding <padding>", "RSA padding of the wrapped file key; auto tries RSA-OAEP, RSA-OAEP-256, and with --key-vault RSA1_5").choices(RSA_PADDINGS).default("auto"),
    );
}

/** Storage options from parsed CLI options. */
export function sourceOptionsFrom(options: CommonCliOptions): SourceOptions {
  return options.connectionString ? { connectionString: options.connectionString } : {};
}

/** Key options from parsed CLI options; reads the PEM file. */
export async function keyOptionsFrom(options: KeyCliOptions): Promise<KeyOptions> {
  if (options.keyVault && options.privateKey) throw new DropError("USAGE", "give either --key-vault or --private-key, not both");
  if (!options.keyVault && !options.privateKey) throw new DropError("USAGE", "a key is needed: --key-vault <vault URL> or --private-key <PEM file>");
  if (options.privateKey && (options.keyName || options.keyVersion)) throw new DropError("USAGE", "--key-name and --key-version apply to --key-vault only");
  if (options.passphraseEnv && !options.privateKey) throw new DropError("USAGE", "--passphrase-env applies to --private-key only");
  const keyOptions: KeyOptions = { rsaPadding: options.rsaPadding ?? "auto" };
  if (options.keyVault) {
    keyOptions.keyVaultUrl = options.keyVault;
    if (options.keyName) keyOptions.keyName = options.keyName;
    if (options.keyVersion) keyOptions.keyVersion = options.keyVersion;
  }
  if (options.privateKey) {
    try {
      keyOptions.privateKeyPem = await readFile(options.privateKey);
    } catch (error) {
      throw new DropError("KEY_UNAVAILABLE", `cannot read private key file ${options.privateKey}: ${describeError(error)}`, { cause: error });
    }
    if (options.passphraseEnv) {
      const passphrase = process.env[options.passphraseEnv];
      if (passphrase === undefined) throw new DropError("USAGE", `--passphrase-env: environment variable ${options.passphraseEnv} is not set`);
      keyOptions.privateKeyPassphrase = passphrase;
    }
  }
  return keyOptions;
}

/** Parses --workers; anything but a whole number from 0 to 64 is a usage error. */
export function parseWorkers(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new DropError("USAGE", `--workers must be a whole number from 0 to 64, got ${value}`);
  return workers;
}
