// Issue 10 defect 9: `signal` (an AbortSignal) on openDrop, verifyDrop, inspectDrop, listDrops, rows() and
// ndjson() stops the work at once — also while a read or a Key Vault call is stalled — closes what was
// opened, and fails with the signal's reason.
import { readFileSync, rmSync } from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DropFile, type DropSource, type SourceReadOptions, inspectDrop, listDrops, openDrop, resolveSource, verifyDrop } from "../src/index";
import { collectText, rejectionOf } from "./support/collect";
import { FakeKeyVault, testCredential } from "./support/fake-key-vault";
import { assertBuilt, waitFor } from "./support/run-cli";
import { makeKeyPair, makeTempDir, sampleRows, writeTestDrop, type TestDrop, type TestKeyPair } from "./support/test-drop";

let keys: TestKeyPair;
let root: string;
let drop: TestDrop;

beforeAll(() => {
  assertBuilt();
  keys = makeKeyPair();
  root = makeTempDir();
  drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows: sampleRows(4000) });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The drop's own files, with every data stream it hands out recorded; `stall` serves half of each data file and then nothing. */
class WatchedSource implements DropSource {
  readonly streams: Readable[] = [];
  private readonly inner: DropSource;
  constructor(
    dir: string,
    private readonly stall = false,
  ) {
    this.inner = resolveSource(dir);
  }
  get location(): string {
    return this.inner.location;
  }
  listFiles(options?: SourceReadOptions): Promise<DropFile[]> {
    return this.inner.listFiles(options);
  }
  async openRead(path: string, options?: SourceReadOptions): Promise<Readable> {
    if (!path.startsWith("data/")) return this.inner.openRead(path, options);
    let stream: Readable;
    if (this.stall) {
      const bytes = readFileSync(`${this.inner.location}/${path}`);
      stream = new Readable({ read() {} });
      stream.push(bytes.subarray(0, bytes.length >> 1));
    } else {
      stream = await this.inner.openRead(path, options);
    }
    this.streams.push(stream);
    return stream;
  }
}

const keyOptions = () => ({ privateKeyPem: keys.privateKeyPem });
const isAbortError = (error: Error) => error.name === "AbortError";

// Fails instead of hanging when the work does not stop.
function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([promise, new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms))]);
}

describe("an AbortSignal", () => {
  it("stops rows() between rows and closes the file", async () => {
    const source = new WatchedSource(drop.dir);
    const opened = await openDrop(source, keyOptions());
    const controller = new AbortController();
    let seen = 0;
    const error = await rejectionOf(async () => {
      for await (const _row of opened.rows({ signal: controller.signal })) {
        if (++seen === 1) controller.abort();
      }
    });
    expect(isAbortError(error)).toBe(true);
    expect(seen).toBe(1);
    expect(source.streams.length).toBe(1);
    expect(source.streams.every((stream) => stream.destroyed)).toBe(true);
  });

  it.each([
    ["ndjson(), inline", (source: DropSource, signal: AbortSignal) => openDrop(source, keyOptions()).then((d) => collectText(d.ndjson({ signal, workers: 0 })))],
    ["ndjson(), with a worker thread", (source: DropSource, signal: AbortSignal) => openDrop(source, keyOptions()).then((d) => collectText(d.ndjson({ signal, workers: 1 })))],
    ["rows()", async (source: DropSource, signal: AbortSignal) => {
      const d = await openDrop(source, keyOptions());
      for await (const _row of d.rows({ signal })) {
        // Never reached: the source stalls before the first row.
      }
    }],
    ["verifyDrop", (source: DropSource, signal: AbortSignal) => verifyDrop(source, keyOptions(), { signal })],
  ])("stops %s while a read is stalled, at once, closing the stream", async (_name, read) => {
    const source = new WatchedSource(drop.dir, true);
    const controller = new AbortController();
    const reading = read(source, controller.signal);
    await waitFor(() => source.streams.length === 1, "the data file to be opened");
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const error = await within(rejectionOf(() => reading));
    expect(isAbortError(error)).toBe(true);
    expect(source.streams.length).toBe(1);
    expect(source.streams[0].destroyed).toBe(true);
  });

  it("fails with the caller's own reason when it gives one", async () => {
    const source = new WatchedSource(drop.dir, true);
    const controller = new AbortController();
    const reading = verifyDrop(source, keyOptions(), { signal: controller.signal });
    const reason = new Error("service shutting down");
    setTimeout(() => controller.abort(reason), 50);
    expect(await within(rejectionOf(() => reading))).toBe(reason);
  });

  it.each([
    ["openDrop", (source: DropSource, signal: AbortSignal) => openDrop(source, keyOptions(), { signal })],
    ["verifyDrop", (source: DropSource, signal: AbortSignal) => verifyDrop(source, keyOptions(), { signal })],
    ["inspectDrop", (source: DropSource, signal: AbortSignal) => inspectDrop(source, { signal })],
    ["listDrops", (source: DropSource, signal: AbortSignal) => listDrops(source, { signal })],
  ])("already aborted: %s reads nothing", async (_name, call) => {
    const source = new WatchedSource(drop.dir);
    const error = await rejectionOf(() => call(source, AbortSignal.abort()));
    expect(isAbortError(error)).toBe(true);
    expect(source.streams).toEqual([]);
  });

  it("stops openDrop during a Key Vault call that does not answer", async () => {
    const vaultUrl = "https://contoso-keys.vault.azure.net";
    const tenant = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    const vaultDrop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, tenantId: tenant, metadata: { PublicKeyVersion: "v1" } });
    const fake = new FakeKeyVault(vaultUrl, [{ name: tenant, version: "v1", privateKeyPem: keys.privateKeyPem }]);
    fake.stallDecrypt = true;
    const controller = new AbortController();
    const opening = openDrop(vaultDrop.dir, { keyVaultUrl: vaultUrl, credential: testCredential, keyVaultClientOptions: { httpClient: fake } }, { signal: controller.signal });
    await waitFor(() => fake.requests.some((r) => r.url.includes("/decrypt")), "the decrypt call");
    controller.abort();
    const error = await within(rejectionOf(() => opening));
    expect(isAbortError(error)).toBe(true);
  });
});
