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
    formatIngest(result),
  ].join("\n");
}

function formatIngest(result: DemoResult): string {
  const { ingest } = result;
  const table = formatTable(
    ["user department", "mean Collaboration hours", "rows", "matched a user"],
    ingest.byDepartment.map((d) => [d.department ?? "(none)", d.meanHours.toFixed(2), formatCount(d.rows), formatCount(d.matched)]),
  );
  return [
    `viva-drop ingest → temporary DuckDB file: ${ingest.summary.loaded} drops loaded, ${formatCount(ingest.summary.rows)} rows`,
    indent(`${ingest.query.replace(/\n/g, " ")}`),
    indent(table),
    indent(`${formatCount(ingest.matched)} of ${formatCount(ingest.rows)} person report rows matched a user (users sample re-keyed to the sample's PersonIds)`),
    "",
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
