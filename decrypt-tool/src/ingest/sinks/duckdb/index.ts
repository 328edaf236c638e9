import { stat } from "node:fs/promises";
import path from "node:path";
import { type Sink, SinkError } from "../sink";
import { DuckDbSink, type DuckDbSinkOptions } from "./duckdb-sink";

export type { DuckDbSinkOptions } from "./duckdb-sink";

/**
 * The DuckDB sink for the database file at `file` (created on first use). Checks only that the file can
 * be created there; nothing is opened until prepare() (or, read-only, the first ledger()).
 */
export async function createDuckDbSink(file: string, options: DuckDbSinkOptions = {}): Promise<Sink> {
  const resolved = path.resolve(file);
  const info = await stat(resolved).catch(() => undefined);
  if (info?.isDirectory()) throw new SinkError(resolved, "is a folder; give a database file name (*.duckdb)");
  const folder = path.dirname(resolved);
  const parent = await stat(folder).catch(() => undefined);
  if (!parent) throw new SinkError(resolved, `no folder ${folder}`);
  if (!parent.isDirectory()) throw new SinkError(resolved, `${folder} is not a folder`);
  return new DuckDbSink(resolved, options);
}
