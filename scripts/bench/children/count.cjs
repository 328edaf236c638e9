// Untimed correctness helper for method (e): counts the lines of stdin and hashes it.
// usage: viva-drop decrypt … | node count.cjs   → prints {"rows": <lines>, "bytes": <n>, "sha256": <hex>}
"use strict";
const { createHash } = require("node:crypto");

let rows = 0;
let bytes = 0;
let last = 0x0a;
const hash = createHash("sha256");
process.stdin.on("data", (chunk) => {
  hash.update(chunk);
  bytes += chunk.length;
  for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) rows += 1;
  last = chunk[chunk.length - 1];
});
process.stdin.on("end", () => {
  if (bytes > 0 && last !== 0x0a) rows += 1; // a last row without its newline still counts
  process.stdout.write(JSON.stringify({ rows, bytes, sha256: hash.digest("hex") }) + "\n");
});
process.stdin.on("error", (err) => {
  process.stderr.write(`count: ${err.message}\n`);
  process.exitCode = 1;
});
