/**
 * One `COPY … FROM STDIN` on a connection, as a writer with backpressure that can be torn down: on
 * abort it sends CopyFail (pg-copy-streams' destroy), waits until the server has answered, and leaves
 * the connection ready for the ROLLBACK.
 */
import type { Client } from "pg";
import { from as copyFrom, type CopyStreamQuery } from "pg-copy-streams";

export class CopyWriter {
  private readonly stream: CopyStreamQuery;
  private error: Error | undefined;
  private closed = false;
  private readonly closedPromise: Promise<void>;
  /** Rejects with the server's (or the socket's) error as soon as the COPY fails; never resolves. */
  readonly failure: Promise<never>;

  constructor(client: Client, sql: string) {
    this.stream = client.query(copyFrom(sql));
    let fail!: (e: Error) => void;
    this.failure = new Promise<never>((_, reject) => (fail = reject));
    this.failure.catch(() => undefined);
    this.stream.on("error", (e: Error) => {
      this.error ??= e;
      fail(e);
    });
    this.closedPromise = new Promise((resolve) =>
      this.stream.once("close", () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  /** Queues `chunk`; resolves at once unless the connection is behind, then when it drained. */
  async write(chunk: Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (this.stream.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        if (this.error) reject(this.error);
        else resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("close", done);
      this.failure.catch(done);
    });
  }

  /** Ends the data; resolves with the rows the server copied once it committed them to the table. */
  async finish(): Promise<number> {
    if (this.error) throw this.error;
    await new Promise<void>((resolve, reject) => {
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
      this.failure.catch(reject);
    });
    if (this.error) throw this.error;
    return this.stream.rowCount;
  }

  /**
   * Tears the COPY down (CopyFail: the server discards what it received) and waits until the server
   * acknowledged it. Never throws. After a failure the server has already ended the COPY (or the
   * connection is gone): there is nothing to tear down, and pg-copy-streams could not send CopyFail.
   */
  async abort(): Promise<void> {
    if (this.closed || this.error) return;
    // The text reaches the server log: never the reason, which might quote the drop.
    this.stream.destroy(new Error("viva-drop stopped the load"));
    await Promise.race([this.closedPromise, this.failure.catch(() => undefined)]);
  }
}
