import path from "node:path";

/** Where ingest writes, parsed from what the user typed. */
export type SinkTarget = { kind: "duckdb"; path: string } | { kind: "postgres"; url: string };

/**
 * `*.duckdb` or `duckdb:<path>` → DuckDB (the embedded default); `postgres://…` or `postgresql://…` →
 * PostgreSQL. Undefined for anything else, so the caller can say what is accepted.
 */
export function parseSinkTarget(text: string): SinkTarget | undefined {
  if (/^postgres(ql)?:\/\//i.test(text)) return { kind: "postgres", url: text };
  if (/^duckdb:/i.test(text)) {
    const file = text.slice("duckdb:".length);
    return file ? { kind: "duckdb", path: path.resolve(file) } : undefined;
  }
  if (/\.duckdb$/i.test(text) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { kind: "duckdb", path: path.resolve(text) };
  return undefined;
}

/** A sink target for messages: a PostgreSQL URL without its password, also one given as a query parameter. */
export function describeSinkTarget(target: SinkTarget): string {
  if (target.kind === "duckdb") return target.path;
  try {
    const url = new URL(target.url);
    if (url.password) url.password = "***";
    for (const key of ["password", "sslpassword"]) if (url.searchParams.has(key)) url.searchParams.set(key, "***");
    return url.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}
