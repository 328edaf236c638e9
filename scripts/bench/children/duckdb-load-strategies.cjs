// Ingest design measurement: three ways of getting the same typed rows into DuckDB, timed in one process.
// usage: node duckdb-load-strategies.cjs <@duckdb/node-api path> <ndjson file> <rows> <scratch folder>
//   (a) Appender, one append call per value;
//   (b) Appender with data chunks filled column by column (what the DuckDB sink does);
//   (c) the same chunks into a staging table, then INSERT … ON CONFLICT DO UPDATE into a table with a PRIMARY KEY.
//   → prints {"rows", "columns", "appendPerValue", "dataChunks", "stagingOnConflict"} (seconds)
"use strict";
const { openSync, readSync, closeSync, rmSync } = require("node:fs");
const { join } = require("node:path");
const { Buffer } = require("node:buffer");

function readRows(file, limit) {
  const fd = openSync(file, "r");
  const rows = [];
  const buffer = Buffer.allocUnsafe(1 << 20);
  let carry = "";
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      const lines = (carry + buffer.toString("utf8", 0, n)).split("\n");
      carry = lines.pop();
      for (const line of lines) {
        if (line.trim() === "") continue;
        rows.push(JSON.parse(line));
        if (rows.length >= limit) return rows;
      }
    }
  } finally {
    closeSync(fd);
  }
  return rows;
}

async function main() {
  const [api, ndjson, limitText, scratch] = process.argv.slice(2);
  const duck = require(api);
  const source = readRows(ndjson, Number(limitText));
  const names = Object.keys(source[0]).filter((k) => k !== "PersonId" && k !== "MetricDate");
  const isBool = (name) => typeof source[0][name] === "boolean";
  const ident = (name) => `"${name.replace(/"/g, '""')}"`;
  // Typed as ingest types them: person_id text, metric_date timestamp, booleans, numbers from number text.
  const typed = source.map((r) => [r.PersonId.toLowerCase(), new duck.DuckDBTimestampTZValue(BigInt(Date.parse(r.MetricDate)) * 1000n), ...names.map((n) => (isBool(n) ? r[n] : +r[n]))]);
  const columnsSql = `person_id VARCHAR NOT NULL, metric_date TIMESTAMPTZ NOT NULL, ${names.map((n) => `${ident(n)} ${isBool(n) ? "BOOLEAN" : "DOUBLE"}`).join(", ")}`;
  const fresh = async (name) => {
    const file = join(scratch, `${name}.duckdb`);
    rmSync(file, { force: true });
    rmSync(`${file}.wal`, { force: true });
    const instance = await duck.DuckDBInstance.create(file, { memory_limit: "1GB" });
    return { instance, conn: await instance.connect(), file };
  };
  const finish = ({ instance, conn, file }) => {
    conn.closeSync();
    instance.closeSync();
    rmSync(file, { force: true });
    rmSync(`${file}.wal`, { force: true });
  };
  const chunks = (appender) => {
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    const chunk = duck.DuckDBDataChunk.create(types);
    for (let start = 0; start < typed.length; start += 2048) {
      const count = Math.min(2048, typed.length - start);
      chunk.reset();
      chunk.rowCount = count;
      for (let c = 0; c < types.length; c++) {
        const vector = chunk.getColumnVector(c);
        for (let i = 0; i < count; i++) vector.setItem(i, typed[start + i][c]);
        vector.flush();
      }
      appender.appendDataChunk(chunk);
    }
  };
  const time = async (fn) => {
    const t0 = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const result = { rows: typed.length, columns: names.length + 2 };

  let db = await fresh("per-value");
  await db.conn.run(`CREATE TABLE t (${columnsSql})`);
  result.appendPerValue = await time(async () => {
    await db.conn.run("BEGIN");
    const appender = await db.conn.createAppender("t");
    for (const row of typed) {
      appender.appendVarchar(row[0]);
      appender.appendTimestampTZ(row[1]);
      for (let c = 2; c < row.length; c++) {
        if (isBool(names[c - 2])) appender.appendBoolean(row[c]);
        else appender.appendDouble(row[c]);
      }
      appender.endRow();
    }
    appender.closeSync();
    await db.conn.run("COMMIT");
  });
  finish(db);

  db = await fresh("chunks");
  await db.conn.run(`CREATE TABLE t (${columnsSql})`);
  result.dataChunks = await time(async () => {
    await db.conn.run("BEGIN");
    const appender = await db.conn.createAppender("t");
    chunks(appender);
    appender.closeSync();
    await db.conn.run("COMMIT");
  });
  finish(db);

  db = await fresh("staging");
  await db.conn.run(`CREATE TABLE t (${columnsSql}, PRIMARY KEY (person_id, metric_date))`);
  result.stagingOnConflict = await time(async () => {
    await db.conn.run("BEGIN");
    await db.conn.run(`CREATE TEMP TABLE s (${columnsSql})`);
    const appender = await db.conn.createAppender("s");
    chunks(appender);
    appender.closeSync();
    await db.conn.run(`INSERT INTO t SELECT * FROM s ON CONFLICT (person_id, metric_date) DO UPDATE SET ${names.map((n) => `${ident(n)} = excluded.${ident(n)}`).join(", ")}`);
    await db.conn.run("DROP TABLE s");
    await db.conn.run("COMMIT");
  });
  finish(db);
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((err) => {
  process.stderr.write(`duckdb-load-strategies: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
