// Benchmark floor for ingest: DuckDB loading the plaintext NDJSON itself, into the table shape ingest
// creates (same columns, same types), with INSERT … SELECT … FROM read_json(…).
// usage: node duckdb-read-json.cjs <node_modules @duckdb/node-api path> <ndjson file> <columns JSON file> <database file>
//   columns JSON: [{"name": "IsActive", "type": "BOOLEAN"}, …] (the data columns after the fixed five)
//   → prints {"rows": <rows in the table>}
"use strict";
const { readFileSync } = require("node:fs");

async function main() {
  const [api, ndjson, columnsFile, database] = process.argv.slice(2);
  if (!api || !ndjson || !columnsFile || !database) throw new Error("usage: duckdb-read-json.cjs <@duckdb/node-api> <ndjson> <columns.json> <database>");
  const { DuckDBInstance } = require(api);
  const columns = JSON.parse(readFileSync(columnsFile, "utf8"));
  const ident = (name) => `"${name.replace(/"/g, '""')}"`;
  const literal = (text) => `'${text.replace(/'/g, "''")}'`;
  const instance = await DuckDBInstance.create(database);
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  await conn.run(
    `CREATE TABLE viva_person_report (tenant_id VARCHAR NOT NULL, person_id VARCHAR NOT NULL, metric_date TIMESTAMPTZ NOT NULL, extraction_id VARCHAR NOT NULL, job_completed_at TIMESTAMPTZ, ${columns
      .map((c) => `${ident(c.name)} ${c.type}`)
      .join(", ")})`,
  );
  const spec = [["PersonId", "VARCHAR"], ["MetricDate", "TIMESTAMPTZ"], ...columns.map((c) => [c.name, c.type])].map(([n, t]) => `${literal(n)}: ${literal(t)}`).join(", ");
  await conn.run(
    `INSERT INTO viva_person_report SELECT 'bench-tenant', lower("PersonId"), "MetricDate", 'bench-extraction', TIMESTAMPTZ '2024-01-01 00:00:00+00', ${columns
      .map((c) => ident(c.name))
      .join(", ")} FROM read_json(${literal(ndjson)}, format = 'newline_delimited', columns = {${spec}})`,
  );
  const rows = Number((await conn.runAndReadAll("SELECT count(*) FROM viva_person_report")).getRows()[0][0]);
  conn.closeSync();
  instance.closeSync();
  process.stdout.write(JSON.stringify({ rows }) + "\n");
}

main().catch((err) => {
  process.stderr.write(`duckdb-read-json: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
