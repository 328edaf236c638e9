// Benchmark method (a), the floor: node:crypto AES-256-CBC decipher + zlib gunzip over the data
// file, bytes discarded. Nothing a decrypt tool can skip; what it adds on top is parsing and output.
// usage: node floor.cjs <data file> <key hex> <iv hex>   → prints {"bytes": <uncompressed bytes>}
"use strict";
const { createDecipheriv } = require("node:crypto");
const { createReadStream } = require("node:fs");
const { Writable } = require("node:stream");
const { pipeline } = require("node:stream/promises");
const { createGunzip } = require("node:zlib");
const { Buffer } = require("node:buffer");

async function main() {
  const [file, keyHex, ivHex] = process.argv.slice(2);
  if (!file || !keyHex || !ivHex) throw new Error("usage: floor.cjs <data file> <key hex> <iv hex>");
  let bytes = 0;
  await pipeline(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    createDecipheriv("aes-256-cbc", Buffer.from(keyHex, "hex"), Buffer.from(ivHex, "hex")),
    createGunzip({ chunkSize: 1 << 16 }),
    new Writable({
      highWaterMark: 1 << 20,
      write(chunk, _enc, cb) {
        bytes += chunk.length;
        cb();
      },
    }),
  );
  process.stdout.write(JSON.stringify({ bytes }) + "\n");
}

main().catch((err) => {
  process.stderr.write(`floor: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
