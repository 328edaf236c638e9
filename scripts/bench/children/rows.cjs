// Benchmark method (f): the library — openDrop(<drop>, { privateKeyPem }).rows() iterated to the end.
// usage: node rows.cjs <decrypt-tool dist folder> <drop folder> <private key PEM file>
//   → prints {"rows": <rows seen>, "claimed": <NumberOfRowsExtracted or null>}
"use strict";
const { readFileSync } = require("node:fs");
const { resolve } = require("node:path");

async function main() {
  const [dist, drop, pemFile] = process.argv.slice(2);
  if (!dist || !drop || !pemFile) throw new Error("usage: rows.cjs <dist> <drop> <private key PEM>");
  const { openDrop } = require(resolve(dist));
  if (typeof openDrop !== "function") throw new Error(`${dist} does not export openDrop`);
  const opened = await openDrop(drop, { privateKeyPem: readFileSync(pemFile, "utf8") });
  let rows = 0;
  for await (const row of opened.rows()) {
    if (row === null || typeof row !== "object") throw new Error(`row ${rows + 1} is not an object`);
    rows += 1;
  }
  const meta = opened.metadata || {};
  const claimed = meta.rowsClaimed ?? meta.NumberOfRowsExtracted ?? null;
  process.stdout.write(JSON.stringify({ rows, claimed }) + "\n");
}

main().catch((err) => {
  process.stderr.write(`rows: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
