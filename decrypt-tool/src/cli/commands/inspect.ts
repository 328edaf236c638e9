import type { Command } from "commander";
import type { DropSummary } from "../../inspect-drop";
import { formatBytes, formatCount, formatFields } from "../format";
import { addCommonOptions, type CommonCliOptions, sourceOptionsFrom } from "../options";
import { runForDrop } from "../report";
import { writeStdout } from "../stdout";

/** Registers `viva-drop inspect`: the metadata summary, no key needed. */
export function register(program: Command): void {
  const command = program
    .command("inspect")
    .description("print a drop's metadata summary (no key needed); exits 3 if the service reported a failed run")
    .argument("<drop>", "drop folder, or its URL: https://<account>.blob.core.windows.net/<tenant-guid>/<run-folder>")
    .option("--json", "print the summary as JSON");
  addCommonOptions(command);
  command.action(async (drop: string, options: CommonCliOptions) => {
    await runForDrop(drop, options.verbose ?? false, async () => {
      // Loaded when the command runs, not at start-up (see cli/main.ts).
      const [{ inspectDrop }, { assertRunSucceeded }] = await Promise.all([import("../../inspect-drop"), import("../../metadata/read-metadata")]);
      const summary = await inspectDrop(drop, sourceOptionsFrom(options));
      await writeStdout(options.json ? `${JSON.stringify(toJson(summary), null, 2)}\n` : formatSummary(summary));
      assertRunSucceeded(summary.metadata);
    });
  });
}

/** The human summary printed by `inspect`. */
function formatSummary(summary: DropSummary): string {
  const m = summary.metadata;
  const columns = m.columnsRequested.length > 0 ? `${m.columnsRequested.length}${m.columnsAmbiguous ? " (split ambiguous)" : ""}` : undefined;
  return formatFields([
    ["drop", summary.location],
    ["layout", m.layout === "viva" ? "Viva (metadata/JobMetadata/Metadata.json)" : "Graph Data Connect (encryptionKeyDetails.json)"],
    ["status", m.errors === undefined ? "succeeded" : `FAILED: ${m.errors}`],
    ["table", m.tableName],
    ["tenant", m.tenantId],
    ["requested", m.requestStartDate || m.requestEndDate ? `${m.requestStartDate ?? "?"} to ${m.requestEndDate ?? "?"}` : undefined],
    ["rows claimed", m.rowsClaimed === undefined ? undefined : formatCount(m.rowsClaimed)],
    ["columns", columns],
    ["data files", `${summary.dataFiles.length} (${formatBytes(summary.encryptedBytes)} encrypted)`],
    ["key version", m.publicKeyVersion],
    ["key type", m.fileKey?.keyType],
    ["job", m.jobSubmissionTime || m.jobCompletionTime ? `${m.jobSubmissionTime ?? "?"} to ${m.jobCompletionTime ?? "?"}` : undefined],
    ["copy activity", m.copyActivityId],
    ["extraction", m.extractionResultId],
    ["data factory", m.dataFactoryName],
    ["application", m.applicationId],
    ["office geo", m.officeGeo],
  ]);
}

// Buffers (wrapped key, IV) as Base64 rather than byte arrays; data files by path and size.
function toJson(summary: DropSummary): unknown {
  const { fileKey, ...metadata } = summary.metadata;
  return {
    ...summary,
    dataFiles: summary.dataFiles.map(({ path, size }) => ({ path, size })),
    metadata: { ...metadata, fileKey: fileKey && { keyType: fileKey.keyType, wrappedKey: fileKey.wrappedKey.toString("base64"), iv: fileKey.iv.toString("base64") } },
  };
}
