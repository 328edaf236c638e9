import path from "node:path";
import { type Sink, SinkError } from "./sink";
import { describeSinkTarget, type SinkTarget } from "./target";

export * from "./sink";
export * from "./target";

/**
 * The sink for `target`. Each sink's module (and its database driver) is loaded only here, when it is
 * used: `viva-drop --help` and the commands that never touch a database load neither.
 */
export async function openSink(target: SinkTarget): Promise<Sink> {
  if (target.kind === "duckdb") {
    const { createDuckDbSink } = await import("./duckdb/index");
    return createDuckDbSink(target.path);
  }
  return loadPostgresSink(target)(target.url);
}

type PostgresFactory = (url: string) => Promise<Sink>;

// Required by a computed path, so that this module compiles (and the DuckDB sink works) in a build
// that has no PostgreSQL sink; a missing one is a clear SinkError, not a crash.
function loadPostgresSink(target: SinkTarget): PostgresFactory {
  const modulePath = path.join(__dirname, "postgres");
  let loaded: { createPostgresSink?: PostgresFactory };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(modulePath) as { createPostgresSink?: PostgresFactory };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND" || !String((error as Error).message).includes(modulePath)) throw error;
    throw new SinkError(describeSinkTarget(target), "this build of viva-drop has no PostgreSQL sink", { cause: error });
  }
  if (typeof loaded.createPostgresSink !== "function") throw new SinkError(describeSinkTarget(target), "the PostgreSQL sink module exports no createPostgresSink");
  return loaded.createPostgresSink;
}
