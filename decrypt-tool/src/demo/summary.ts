import { formatBytes, formatCount, formatFields, formatTable } from "../cli/format";
import { KEY_ENCODING_LABELS } from "../key/key-text";
import type { DemoDrop, DemoResult } from "./run-demo";

/** The human summary `viva-drop demo` prints on stdout. */
export function formatDemoSummary(result: DemoResult): string {
  const where = result.storage.kind === "emulator" ? "Azurite emulator (local, temporary)" : result.storage.accountUrl;
  const person = result.personReport;
  const metrics = formatTable(
    ["metric (mean per person-period)", "hours", "rows"],
    person.metrics.map((m) => [m.metric, Number.isNaN(m.mean) ? "n/a" : m.mean.toFixed(2), formatCount(m.rows)]),
  );
  return [
    "viva-drop demo: simulated drops written to a tenant container, then read back like production drops\n",
    formatFields([
      ["storage", where],
      ["tenant", result.tenantId],
      ["drops listed", `${result.listed.length} in ${result.storage.containerUrl}`],
    ]),
    formatDrop(person),
    indent(metrics),
    formatDrop(result.users),
  ].join("\n");
}

function formatDrop(drop: DemoDrop): string {
  const v = drop.verified;
  const claimed = v.rowsClaimed === undefined ? "" : v.rowsClaimed === v.rows ? " (matches NumberOfRowsExtracted)" : ` (metadata claims ${v.rowsClaimed})`;
  const fields: [string, string | undefined][] = [
    ["rows", `${formatCount(v.rows)}${claimed}`],
    ["people", v.people > 0 ? formatCount(v.people) : undefined],
    ["MetricDate", v.metricDateRange ? `${v.metricDateRange.min} to ${v.metricDateRange.max}` : undefined],
    ["columns", String(v.columns.length)],
    ["files", `${v.dataFiles} data file(s), ${formatBytes(v.encryptedBytes)} encrypted, ${formatBytes(v.decryptedBytes)} decrypted`],
    ["key", `${KEY_ENCODING_LABELS[v.keyEncoding]}, ${v.rsaPadding}`],
  ];
  return `${drop.tableName} (run folder ${drop.runFolder})\n${indent(formatFields(fields))}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : `  ${line}`))
    .join("\n");
}
