/**
 * One `COPY … FROM STDIN` on a connection, as a writer with backpressure that can be torn down: on
 * abort it sends CopyFail (pg-copy-streams' destroy), waits until the server has answered, and leaves
 * the connection ready for the ROLLBACK.
 *
 * Waiting uses event listeners that are removed once the wait is over, never a long-lived promise
 * raced again and again (each race would keep its value — a batch of rows — alive until the end).
 */
import type { Client } from "pg";
import { from as copyFrom, type CopyStreamQuery } from "pg-copy-streams";

/**
 * How much COPY data may wait in the stream for the socket before write() waits: enough that the
 * producer (decrypting, parsing, encoding) keeps working while the server digests the last chunks,
 * so both run at once instead of taking turns.
 */
const IN_FLIGHT_BYTES = 8 << 20;

export class CopyWriter {
  private readonly stream: CopyStreamQuery;
  private error: Error | undefined;
  private closed = false;

  /** `onFailure` is called once, as soon as the COPY fails (server error or lost connection). */
  constructor(client: Client, sql: string, onFailure: (error: Error) => void) {
    this.stream = client.query(copyFrom(sql, { highWaterMark: IN_FLIGHT_BYTES }));
    this.stream.on("error", (e: Error) => {
      if (this.error) return;
      this.error = e;
      onFailure(e);
    });
    this.stream.once("close", () => (this.closed = true));
  }

  /** Resolves on `event` (or when the stream closes), rejects when the COPY fails meanwhile. */
  private until(event: "drain" | "finish"): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.stream.off(event, done);
        this.stream.off("close", done);
        this.stream.off("error", done);
        if (this.error) reject(this.error);
        else resolve();
      };
      this.stream.on(event, done);
      this.stream.on("close", done);
      this.stream.on("error", done);
    });
  }

  /** Queues `chunk`; resolves at once unless the connection is behind, then when it drained. */
  async write(chunk: Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (!this.stream.write(chunk)) await this.until("drain");
  }

  /** Ends the data; resolves with the rows the server copied once it committed them to the table. */
  async finish(): Promise<number> {
    if (this.error) throw this.error;
    const finished = this.until("finish");
    this.stream.end();
    await finished;
    return this.stream.rowCount;
  }

  /**
   * Tears the COPY down (CopyFail: the server discards what it received) and waits until the server
   * acknowledged it. Never throws. After a failure the server has already ended the COPY (or the
   * connection is gone): there is nothing to tear down, and pg-copy-streams could not send CopyFail.
   */
  async abort(): Promise<void> {
    if (this.closed || this.error) return;
    const closed = new Promise<void>((resolve) => {
      this.stream.once("close", () => resolve());
      this.stream.once("error", () => resolve());
    });
    // The text reaches the server log: never the reason, which might quote the drop.
    this.stream.destroy(new Error("viva-drop stopped the load"));
    await closed;
  }
}
