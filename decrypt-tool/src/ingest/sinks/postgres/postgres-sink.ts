/** The PostgreSQL implementation of {@link Sink}; see docs/ingest-postgres.md. */
import type { DropData, DropLoad, LedgerRow, LoadOutcome, Sink, SinkOptions } from "../sink";
import { DropRejectedError, SinkError } from "../sink";
import { BatchesFailed } from "./copy-batches";
import { openConnection, passwordOf, type Connection } from "./connection";
import { sinkFailure } from "./errors";
import { ledgerExists, readLedger, writeOutcome } from "./ledger";
import { loadDrop } from "./load-drop";
import { acquireLock, locks } from "./locks";
import { CREATE_TABLES, ensureView } from "./schema";

export class PostgresSink implements Sink {
  private connection: Connection | undefined;
  private busy = false;
  private closed = false;

  constructor(
    private readonly url: string,
    readonly description: string,
    private readonly options: Pick<SinkOptions, "readOnly"> = {},
  ) {}

  async prepare(signal?: AbortSignal): Promise<void> {
    this.writable();
    if (this.closed) throw new SinkError(this.description, "the sink is closed");
    this.connection ??= await openConnection(this.url, this.description);
    await this.run("creating the tables", async ({ client, schema }) => {
      await client.query("BEGIN");
      try {
        // Exclusive: two ingests creating the tables at once would otherwise collide in the catalog.
        await acquireLock(client, locks.schema(schema), "exclusive", signal);
        await client.query(CREATE_TABLES);
        await ensureView(client);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    }, signal);
  }

  async ledger(tenantId: string): Promise<Map<string, LedgerRow>> {
    if (this.options.readOnly) {
      // A plain SELECT: no table is created, no lock taken; no ledger table yet is an empty ledger.
      if (this.closed) throw new SinkError(this.description, "the sink is closed");
      this.connection ??= await openConnection(this.url, this.description, { readOnly: true });
      return this.run("reading the ledger", async ({ client }) => ((await ledgerExists(client)) ? readLedger(client, tenantId) : new Map()));
    }
    return this.run("reading the ledger", ({ client }) => readLedger(client, tenantId));
  }

  async loadDrop(drop: DropLoad, rows: DropData, signal?: AbortSignal): Promise<LoadOutcome> {
    this.writable();
    const { tenantId, runFolder } = drop.ledger;
    return this.run(`loading ${tenantId}/${runFolder}`, ({ client, schema }) => loadDrop(client, schema, drop, rows, signal), signal);
  }

  async recordOutcome(row: LedgerRow): Promise<void> {
    this.writable();
    if (row.status === "loaded") throw new TypeError("recordOutcome records failed and rejected drops; loadDrop records loaded ones");
    await this.run(`recording ${row.tenantId}/${row.runFolder} as ${row.status}`, async ({ client, schema }) => {
      await client.query("BEGIN");
      try {
        await acquireLock(client, locks.drop(schema, row.tenantId, row.runFolder), "exclusive");
        await writeOutcome(client, row);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.end();
  }

  private writable(): void {
    if (this.options.readOnly) throw new SinkError(this.description, "opened read-only: it cannot create tables, load or record drops");
  }

  /**
   * Runs `work` on the connection, one call at a time. Errors of the batches and aborts pass
   * unchanged, rejections and SinkErrors as they are; any other failure becomes one SinkError line.
   */
  private async run<T>(doing: string, work: (c: Connection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const connection = this.connection;
    if (!connection) throw new SinkError(this.description, this.closed ? "the sink is closed" : "prepare() was not called");
    if (this.busy) throw new Error("a PostgreSQL sink runs one operation at a time");
    this.busy = true;
    try {
      const lost = connection.lost();
      if (lost) throw lost;
      return await work(connection);
    } catch (error) {
      if (error instanceof BatchesFailed) throw error.error;
      if (signal?.aborted && error === signal.reason) throw error;
      if (error instanceof DropRejectedError || error instanceof SinkError || error instanceof TypeError) throw error;
      throw sinkFailure(this.description, error, { doing, password: passwordOf(this.url) });
    } finally {
      this.busy = false;
    }
  }
}
