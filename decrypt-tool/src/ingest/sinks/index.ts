import type { Sink, SinkOptions } from "./sink";
import type { SinkTarget } from "./target";

export * from "./sink";
export * from "./target";

/**
 * The sink for `target`. Each sink's module (and its database driver) is loaded only here, when it is
 * used: `viva-drop --help` and the commands that never touch a database load neither.
 */
export async function openSink(target: SinkTarget, options: SinkOptions = {}): Promise<Sink> {
  if (target.kind === "duckdb") {
    const { createDuckDbSink } = await import("./duckdb/index");
    return createDuckDbSink(target.path, { readOnly: options.readOnly });
  }
  const { createPostgresSink } = await import("./postgres/index");
  return createPostgresSink(target.url, { readOnly: options.readOnly });
}
