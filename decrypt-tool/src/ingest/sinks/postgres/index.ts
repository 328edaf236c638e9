/**
 * The PostgreSQL sink: `createPostgresSink("postgres://user:pass@host:5432/db")`. Nothing connects
 * until prepare(). Loaded lazily by the sink dispatcher, so `pg` is only required when it is used.
 */
import type { Sink, SinkOptions } from "../sink";
import { SinkError } from "../sink";
import { describePostgresUrl } from "./describe";
import { PostgresSink } from "./postgres-sink";

export { describePostgresUrl } from "./describe";

export async function createPostgresSink(url: string, options: Pick<SinkOptions, "readOnly"> = {}): Promise<Sink> {
  const description = describePostgresUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SinkError(description, "not a valid PostgreSQL URL (postgres://user:password@host:port/database)");
  }
  if (!/^postgres(ql)?:$/i.test(parsed.protocol)) {
    throw new SinkError(description, "not a PostgreSQL URL: it must start with postgres:// or postgresql://");
  }
  return new PostgresSink(url, description, options);
}
