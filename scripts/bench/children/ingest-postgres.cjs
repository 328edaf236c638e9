// Benchmark child for the PostgreSQL sink: reads plaintext NDJSON person report rows, types them the
// way the sink contract says (PersonId → person_id text lower-case, MetricDate → metric_date
// timestamp, numbers sent as strings → double, JSON booleans → boolean, anything else → text) into
// RowBatches, and depending on the mode:
//   parse   — discards the batches (the cost of reading and typing: the engine's side)
//   encode  — also turns them into binary COPY data with the sink's encoder, discarded (the sink's CPU)
//   load    — loads them with createPostgresSink(url).loadDrop (the sink's whole part, from plaintext)
//   typed   — loads RowBatches built in memory from the NDJSON's first 1,000 rows, repeated with fresh
//             PersonIds up to <rows> rows: no parsing, what the sink alone costs
// usage: node ingest-postgres.cjs <mode> <decrypt-tool dist> <ndjson file> [<url> <tenant> <run folder> <extraction id> <job completed ISO> [<rows>]]
//   → prints {"rows": <rows>, "status": …}
// The bench times the real `viva-drop ingest` as (p5); this child's modes say where that time goes.
"use strict";
const { createReadStream } = require("node:fs");
const { resolve } = require("node:path");

const BATCH_ROWS = 1000;
const NUMBER = /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

function typeOf(value) {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number" || (typeof value === "string" && NUMBER.test(value))) return "double";
  return "text";
}

function convert(value, type) {
  if (value === null || value === undefined) return null;
  if (type === "double") return typeof value === "number" ? value : Number(value);
  if (type === "boolean") return value;
  return typeof value === "string" ? value : JSON.stringify(value);
}

async function* lines(file) {
  let rest = "";
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      if (nl > start) yield text.slice(start, nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.trim() !== "") yield rest;
}

/** RowBatches of the file; the columns are those of the first row, widened to text where a value needs it. */
async function* batches(file, counter) {
  let names = null;
  let types = null;
  let columns = null;
  let rows = [];
  for await (const line of lines(file)) {
    const record = JSON.parse(line);
    if (names === null) {
      names = Object.keys(record).filter((k) => k !== "PersonId" && k !== "MetricDate");
      types = names.map((k) => typeOf(record[k]));
      columns = [{ name: "person_id", type: "text" }, { name: "metric_date", type: "timestamp" }, ...names.map((name, i) => ({ name, type: types[i] }))];
    }
    const row = new Array(names.length + 2);
    row[0] = String(record.PersonId).toLowerCase();
    row[1] = new Date(record.MetricDate);
    for (let i = 0; i < names.length; i++) {
      const v = record[names[i]];
      if (v !== null && v !== undefined && types[i] !== "text" && typeOf(v) !== types[i]) {
        if (rows.length > 0) yield { columns, rows };
        rows = [];
        types = types.map((t, j) => (j === i ? "text" : t));
        columns = columns.map((c, j) => (j === i + 2 ? { name: c.name, type: "text" } : c));
      }
      row[i + 2] = convert(v, types[i]);
    }
    rows.push(row);
    counter.rows += 1;
    if (rows.length === BATCH_ROWS) {
      yield { columns, rows };
      rows = [];
    }
  }
  if (rows.length > 0) yield { columns, rows };
}

/** The first 1,000 rows' batch, then copies of it with fresh PersonIds (per repetition) up to `total` rows. */
async function* typedBatches(file, total, counter) {
  const { randomUUID } = require("node:crypto");
  let template = null;
  for await (const b of batches(file, { rows: 0 })) {
    template = b;
    break;
  }
  for (let done = 0; done < total; ) {
    const ids = new Map();
    const rows = [];
    for (const row of template.rows) {
      if (done + rows.length >= total) break;
      let id = ids.get(row[0]);
      if (!id) ids.set(row[0], (id = randomUUID()));
      const copy = row.slice();
      copy[0] = id;
      rows.push(copy);
    }
    done += rows.length;
    counter.rows += rows.length;
    yield { columns: template.columns, rows };
  }
}

async function main() {
  const [mode, dist, file, url, tenantId, runFolder, extractionId, completed, total] = process.argv.slice(2);
  if (!["parse", "encode", "load", "typed"].includes(mode) || !dist || !file) throw new Error("usage: ingest-postgres.cjs parse|encode|load|typed <dist> <ndjson> [url tenant run extraction completed [rows]]");
  const counter = { rows: 0 };
  if (mode === "parse" || mode === "encode") {
    const { binaryRows } = require(resolve(dist, "ingest/sinks/postgres/copy-binary.js"));
    let bytes = 0;
    for await (const b of batches(file, counter)) {
      if (mode === "encode") for (const chunk of binaryRows(b.rows, b.columns, [], 1)) bytes += chunk.length;
    }
    process.stdout.write(JSON.stringify({ rows: counter.rows, copyBytes: bytes }) + "\n");
    return;
  }
  const { createPostgresSink } = require(resolve(dist, "ingest/sinks/postgres/index.js"));
  const sink = await createPostgresSink(url);
  try {
    await sink.prepare();
    const drop = {
      kind: "personReport",
      ledger: {
        tenantId,
        runFolder,
        dataset: "VivaInsightsDataset_PersonReport_v1",
        extractionId,
        requestStart: null,
        requestEnd: null,
        jobCompletedAt: new Date(completed),
        filesFingerprint: "bench",
      },
    };
    const outcome = await sink.loadDrop(drop, mode === "typed" ? typedBatches(file, Number(total), counter) : batches(file, counter));
    process.stdout.write(JSON.stringify({ rows: counter.rows, status: outcome.status, loaded: outcome.rows }) + "\n");
  } finally {
    await sink.close();
  }
}

main().catch((err) => {
  process.stderr.write(`ingest-postgres: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
