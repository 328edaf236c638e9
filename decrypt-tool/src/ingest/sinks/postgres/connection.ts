/**
 * Opening the one connection a sink uses: pg's Client with the session settings every statement of
 * the sink relies on (UTC, ISO dates, shortest-exact float output), after checking the database can
 * hold what ingest writes (UTF-8, a schema to create tables in).
 */
import { Client } from "pg";
import { SinkError } from "../sink";
import { sinkFailure } from "./errors";

/** How long to wait for the server to accept a connection. */
const CONNECT_TIMEOUT_MS = 15_000;

export interface Connection {
  client: Client;
  /** The schema the sink's tables live in (the first schema of search_path). */
  schema: string;
  /** Set when the socket failed outside a query; the connection is then unusable. */
  lost(): Error | undefined;
  end(): Promise<void>;
}

/** The password the URL (or PGPASSWORD) gives, to keep it out of messages. */
export function passwordOf(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || new URL(url).searchParams.get("password") || process.env.PGPASSWORD || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Connects. `readOnly`: every transaction of the session is READ ONLY (the server refuses any write), and
 * neither the encoding nor a schema to create tables in is required.
 */
export async function openConnection(url: string, description: string, options: { readOnly?: boolean } = {}): Promise<Connection> {
  const password = passwordOf(url);
  const client = new Client({
    connectionString: url,
    application_name: options.readOnly ? "viva-drop (read-only)" : "viva-drop ingest",
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
  });
  let lost: Error | undefined;
  // Without a listener a dropped socket would crash the process; the next statement reports it.
  client.on("error", (e) => (lost ??= e));
  try {
    await client.connect();
    await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1");
    if (options.readOnly) {
      await client.query("SET default_transaction_read_only = on");
      const { rows } = await client.query<{ schema: string | null }>("SELECT current_schema() AS schema");
      return { client, schema: rows[0].schema ?? "", lost: () => lost, end: () => client.end().catch(() => undefined) };
    }
    const { rows } = await client.query<{ encoding: string; schema: string | null }>(
      "SELECT current_setting('server_encoding') AS encoding, current_schema() AS schema",
    );
    const { encoding, schema } = rows[0];
    if (encoding !== "UTF8") {
      throw new SinkError(description, `the database's encoding is ${encoding}; ingest needs a UTF8 database (CREATE DATABASE … ENCODING 'UTF8')`);
    }
    if (!schema) throw new SinkError(description, "no schema to create tables in: search_path names no existing schema");
    return {
      client,
      schema,
      lost: () => lost,
      end: () => client.end().catch(() => undefined),
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw sinkFailure(description, error, { password });
  }
}
