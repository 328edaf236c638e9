/** One unit for every byte figure viva-drop prints (progress, verify, inspect, list, demo): 1 MB = 10^6 bytes. */
export const BYTES_PER_MB = 1_000_000;

/** Bytes as a short human figure in decimal units (1 KB = 1000 B): 1.2 MB. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 1234567 → "1,234,567". */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

/** Label/value lines with the values aligned. */
export function formatFields(fields: [string, string | undefined][]): string {
  const shown = fields.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== "");
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n") + "\n";
}

/** A plain text table with a header row. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}
