import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDrop, verifyDrop } from "../src/index";
import { resolveWorkerScript } from "../src/decrypt/worker-pool";
import { collectRows, collectText } from "./support/collect";
import { assertBuilt } from "./support/run-cli";
import { makeKeyPair, makeTempDir, sampleRows, toNdjson, writeTestDrop, type TestKeyPair, type TestKeyText, type TestPadding } from "./support/test-drop";

let keys: TestKeyPair;
let root: string;

beforeAll(() => {
  assertBuilt();
  keys = makeKeyPair();
  root = makeTempDir();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("round trips through the library", () => {
  const keyTexts: TestKeyText[] = ["utf16le", "utf8", "raw"];
  const paddings: TestPadding[] = ["RSA-OAEP", "RSA-OAEP-256"];
  const expectedEncoding = { utf16le: "utf16le-base64", utf8: "utf8-base64", raw: "raw" } as const;

  for (const layout of ["viva", "mgdc"] as const) {
    for (const keyText of keyTexts) {
      for (const padding of paddings) {
        it(`${layout} layout, ${keyText} key text, ${padding}`, async () => {
          const rows = sampleRows(7);
          const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows, keyText, padding, layout });
          const opened = await openDrop(drop.dir, { privateKeyPem: keys.privateKeyPem });
          expect(opened.keyEncoding).toBe(expectedEncoding[keyText]);
          expect(opened.rsaPadding).toBe(padding);
          expect(opened.metadata.layout).toBe(layout);
          expect(await collectRows(opened.rows())).toEqual(rows);
        });
      }
    }
  }

  it("honours an explicit padding and refuses the wrong one", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, padding: "RSA-OAEP-256" });
    const opened = await openDrop(drop.dir, { privateKeyPem: keys.privateKeyPem, rsaPadding: "RSA-OAEP-256" });
    expect(opened.rsaPadding).toBe("RSA-OAEP-256");
    await expect(openDrop(drop.dir, { privateKeyPem: keys.privateKeyPem, rsaPadding: "RSA-OAEP" })).rejects.toMatchObject({ code: "KEY_UNWRAP_FAILED" });
  });

  it("reads multi-part drops in name order, at any depth, skipping blank lines", async () => {
    const rows = sampleRows(30);
    const drop = writeTestDrop(root, {
      publicKeyPem: keys.publicKeyPem,
      parts: [toNdjson(rows.slice(20)), "\n" + toNdjson(rows.slice(0, 10)) + "\n\n", toNdjson(rows.slice(10, 20)).trimEnd()],
      partNames: ["z/part-2.enc", "a/deep/er/part-0.enc", "m-part-1.enc"],
    });
    const opened = await openDrop(drop.dir, { privateKeyPem: keys.privateKeyPem });
    expect(opened.dataFiles.map((f) => f.path)).toEqual(["a/deep/er/part-0.enc", "m-part-1.enc", "z/part-2.enc"]);
    expect(await collectRows(opened.rows())).toEqual(rows);
    for (const workers of [0, 1, 2]) {
      const ndjson = await collectText(opened.ndjson({ workers, batchBytes: 700 }));
      expect(ndjson).toBe(toNdjson(rows));
    }
  });

  it("ignores a UTF-8 byte order mark at the start of a data file", async () => {
    const rows = sampleRows(3);
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, parts: ["\uFEFF" + toNdjson(rows)] });
    const opened = await openDrop(drop.dir, { privateKeyPem: keys.privateKeyPem });
    expect(await collectRows(opened.rows())).toEqual(rows);
    expect(await collectText(opened.ndjson({ workers: 0 }))).toBe(toNdjson(rows));
  });

  it("rejects bytes that are not UTF-8 on every path, naming the line", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, parts: [Buffer.concat([Buffer.from('{"a":1}\n{"a":"'), Buffer.from([0xff]), Buffer.from('"}\n')])] });
    const opened = await openDrop(drop.dir, { privateKeyPem: keys.privateKeyPem });
    for (const read of [() => collectRows(opened.rows()), () => collectText(opened.ndjson({ workers: 0 })), () => collectText(opened.ndjson({ workers: 1 }))]) {
      await expect(read()).rejects.toMatchObject({ code: "JSON_INVALID", message: "data/part-00000.json.gz.enc line 2: not valid UTF-8" });
    }
  });

  it("reads a data file bigger than gunzip's reused input buffers, and stops cleanly when the reader breaks off", async () => {
    // Random text barely compresses: ~4 MB encrypted, so each of the two 1 MB buffers is refilled.
    const rows = Array.from({ length: 1200 }, (_, i) => ({ PersonId: `p-${i}`, noise: randomBytes(3000).toString("base64") }));
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows });
    const opened = await openDrop(drop.dir, { privateKeyPem: keys.privateKeyPem });
    expect(opened.dataFiles[0].size).toBeGreaterThan(3 * 1024 * 1024);
    expect(await collectRows(opened.rows())).toEqual(rows);
    expect(await collectText(opened.ndjson({ workers: 1 }))).toBe(toNdjson(rows));
    let seen = 0;
    for await (const row of opened.rows()) {
      expect(row).toEqual(rows[seen]);
      if (++seen === 10) break;
    }
    expect(seen).toBe(10);
  });

  it("finds the compiled parser worker even when running from TypeScript sources", () => {
    expect(resolveWorkerScript()).toMatch(/dist[/\\]decrypt[/\\]validate-worker\.js$/);
  });

  it("reads an empty drop (a data file with no rows)", async () => {
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, parts: [""] });
    const opened = await openDrop(drop.dir, { privateKeyPem: keys.privateKeyPem });
    expect(await collectRows(opened.rows())).toEqual([]);
    expect(await collectText(opened.ndjson())).toBe("");
    const result = await verifyDrop(drop.dir, { privateKeyPem: keys.privateKeyPem });
    expect(result).toMatchObject({ rows: 0, rowsClaimed: 0, people: 0, columns: [], dataFiles: 1 });
    expect(result.metricDateRange).toBeUndefined();
  });

  it("keeps values exactly as sent, including non-ASCII text and numbers held in strings", async () => {
    const rows = [{ PersonId: "é-😀", MetricDate: "2024-01-01T00:00:00Z", "Meeting hours": "126.00418432003623", IsActive: true, n: 1.5e300, nested: { a: [null] } }];
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, rows });
    const opened = await openDrop(drop.dir, { privateKeyPem: keys.privateKeyPem });
    expect(await collectRows(opened.rows())).toEqual(rows);
    expect(await collectText(opened.ndjson())).toBe(toNdjson(rows));
  });

  it("verifies: rows, people, MetricDate range, columns, bytes, key encoding", async () => {
    const rows = sampleRows(40, 9);
    const drop = writeTestDrop(root, { publicKeyPem: keys.publicKeyPem, parts: [toNdjson(rows.slice(0, 25)), toNdjson(rows.slice(25))], keyText: "utf8" });
    const progress: number[] = [];
    const result = await verifyDrop(drop.dir, { privateKeyPem: keys.privateKeyPem }, { onProgress: (p) => progress.push(p.rows) });
    expect(result).toMatchObject({
      rows: 40,
      rowsClaimed: 40,
      people: 9,
      metricDateRange: { min: "2024-01-01T00:00:00Z", max: "2024-03-07T00:00:00Z" },
      columns: Object.keys(rows[0]),
      dataFiles: 2,
      keyEncoding: "utf8-base64",
      rsaPadding: "RSA-OAEP",
      decryptedBytes: Buffer.byteLength(toNdjson(rows)),
    });
    expect(progress.at(-1)).toBe(40);
    expect(result.seconds).toBeGreaterThan(0);
  });
});
