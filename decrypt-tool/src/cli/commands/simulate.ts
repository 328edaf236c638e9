import { readFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { DropError, describeError } from "../../errors";
import { KEY_TEXT_FORMS, PERSON_REPORT_TABLE, SIMULATE_LAYOUTS, SIMULATE_RSA_PADDINGS } from "../../simulate/choices";
import type { SimulateOptions } from "../../simulate/index";
import { formatCount, formatFields } from "../format";
import { reportFailure } from "../report";
import { writeStdout } from "../stdout";
import { signalExitCode } from "../exit-cleanup";

interface SimulateCliOptions {
  input: string;
  tenant: string;
  publicKey: string;
  out: string;
  parts: string;
  keyText: SimulateOptions["keyText"];
  rsaPadding: SimulateOptions["rsaPadding"];
  layout: SimulateOptions["layout"];
  runFolder?: string;
  tableName: string;
  publicKeyVersion?: string;
  requestStartDate?: string;
  requestEndDate?: string;
  applicationId?: string;
  connectionString?: string;
  quiet?: boolean;
}

/** Registers `viva-drop simulate`: write a drop from NDJSON rows, as the service would deliver it. */
export function register(program: Command): void {
  program
    .command("simulate")
    .description("write a data drop from NDJSON rows exactly as the service delivers one (gzip, AES-256-CBC, RSA-wrapped key, Metadata.json)")
    .requiredOption("--input <file>", "NDJSON file: one JSON object per line (e.g. fixtures/VivaInsightsDataset_v1.json)")
    .requiredOption("--tenant <guid>", "the customer tenant ID (TenantId in the metadata)")
    .requiredOption("--public-key <file>", "PEM file with the tenant's RSA public key")
    .requiredOption("--out <folder-or-url>", "folder, or container URL https://<account>.blob.core.windows.net/<tenant-guid>; the run folder is created inside")
    .option("--parts <n>", "split the rows into n data files", "1")
    .addOption(new Option("--key-text <form>", "how the AES key is written before RSA wrapping").choices(KEY_TEXT_FORMS).default("utf16le"))
    .addOption(new Option("--rsa-padding <padding>", "RSA padding used to wrap the file key").choices(SIMULATE_RSA_PADDINGS).default("RSA-OAEP"))
    .addOption(new Option("--layout <layout>", "viva: metadata/JobMetadata/Metadata.json; mgdc: Graph Data Connect encryptionKeyDetails.json").choices(SIMULATE_LAYOUTS).default("viva"))
    .option("--run-folder <name>", "run folder name (default: <UTC time>-<CopyActivityId prefix>)")
    .option("--table-name <name>", "TableName in the metadata", PERSON_REPORT_TABLE)
    .option("--public-key-version <version>", "PublicKeyVersion in the metadata (default: a random 32-hex version)")
    .option("--request-start-date <iso>", "RequestStartDate (default: the rows' first MetricDate)")
    .option("--request-end-date <iso>", "RequestEndDate (default: the rows' last MetricDate)")
    .option("--application-id <guid>", "ApplicationId in the metadata (default: a random GUID)")
    .addOption(new Option("--connection-string <string>", "Azure Storage connection string for a URL --out (default: DefaultAzureCredential)").env("AZURE_STORAGE_CONNECTION_STRING"))
    .option("-q, --quiet", "print nothing on success")
    .action(async (options: SimulateCliOptions) => {
      // Ctrl-C stops the run and removes what was written (the hidden temp folder, or uploaded blobs).
      const controller = new AbortController();
      let interrupted: NodeJS.Signals | undefined;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (interrupted) return;
        interrupted = signal;
        controller.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        // Loaded when the command runs, not at start-up (see cli/main.ts).
        const { simulateDrop } = await import("../../simulate/index");
        const drop = await simulateDrop({ ...(await simulateOptionsFrom(options)), signal: controller.signal });
        if (!options.quiet) {
          await writeStdout(
            formatFields([
              ["drop", drop.location],
              ["rows", formatCount(drop.rows)],
              ["data files", drop.dataFiles.join(", ")],
              ["metadata", drop.metadataPath],
            ]),
          );
        }
      } catch (error) {
        if (!interrupted) {
          reportFailure(error, "simulate");
        } else {
          process.stderr.write(`viva-drop: simulate: interrupted (${interrupted}); nothing of the drop was kept\n`);
          process.exitCode = signalExitCode(interrupted);
        }
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}

async function simulateOptionsFrom(options: SimulateCliOptions): Promise<SimulateOptions> {
  if (!/^\d+$/.test(options.parts)) throw new DropError("USAGE", `--parts ${JSON.stringify(options.parts)}: must be a whole number of at least 1`);
  let publicKeyPem: Buffer;
  try {
    publicKeyPem = await readFile(options.publicKey);
  } catch (error) {
    throw new DropError("USAGE", `--public-key ${options.publicKey}: cannot read: ${describeError(error)}`, { cause: error });
  }
  return {
    input: options.input,
    tenantId: options.tenant,
    publicKeyPem,
    out: options.out,
    parts: Number(options.parts),
    keyText: options.keyText,
    rsaPadding: options.rsaPadding,
    layout: options.layout,
    runFolder: options.runFolder,
    tableName: options.tableName,
    publicKeyVersion: options.publicKeyVersion,
    requestStartDate: options.requestStartDate,
    requestEndDate: options.requestEndDate,
    applicationId: options.applicationId,
    connectionString: options.connectionString || undefined,
  };
}
