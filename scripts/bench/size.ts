/** Decimal sizes, as the seed's FAQ Q1 and MB/s use them: 1m = 10^6 bytes, 1g = 10^9 bytes. */
const UNITS: Record<string, number> = { "": 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9 };

/** Parses "400m", "1g", "1.5GB", "20000000" into bytes; throws on anything else. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`invalid size "${text}" (examples: 20m, 400m, 1g)`);
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes <= 0) throw new Error(`invalid size "${text}": must be positive`);
  return bytes;
}

/** "400 MB", "1 GB", "2.5 MB" — for headings. */
export function formatSize(bytes: number): string {
  if (bytes >= 1e9) return `${+(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${+(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${+(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}
