// Benchmark floor for the PostgreSQL sink: one COPY of the pre-generated CSV rows into a table of the
// sink's shape. Server: `COPY … FROM '<file>'` (the server reads the file itself). Client: `COPY … FROM
// STDIN` with the file streamed over the connection (what psql's \copy does).
// usage: node copy-floor.cjs server|client <url> <table> <csv file>   → prints {"rows": <rows copied>}
"use strict";
const { createReadStream } = require("node:fs");
const { pipeline } = require("node:stream/promises");
const { Client } = require("pg");
const { from: copyFrom } = require("pg-copy-streams");

async function main() {
  const [where, url, table, file] = process.argv.slice(2);
  if (!["server", "client"].includes(where) || !url || !table || !file) throw new Error("usage: copy-floor.cjs server|client <url> <table> <csv>");
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    let rows;
    if (where === "server") {
      rows = (await client.query(`COPY ${table} FROM '${file.replace(/'/g, "''")}' (FORMAT csv)`)).rowCount;
    } else {
      const copy = client.query(copyFrom(`COPY ${table} FROM STDIN (FORMAT csv)`));
      await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), copy);
      rows = copy.rowCount;
    }
    process.stdout.write(JSON.stringify({ rows }) + "\n");
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  process.stderr.write(`copy-floor: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
