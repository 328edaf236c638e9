import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { KeyOptions } from "../key/key-options";
import type { SourceOptions } from "../source/index";
import type { IngestSummary } from "../ingest/types";
import type { CleanupStack } from "./cleanup";

/** One line of the demo's query: person report rows by the department of the matched user. */
export interface DepartmentHours {
  /** The user's department; null for rows that matched no user (or a user without one). */
  department: string | null;
  /** Mean Collaboration hours of those rows. */
  meanHours: number;
  rows: number;
  /** Of those rows, how many matched a user. */
  matched: number;
}

/** What the demo's ingest did and what its query returned. */
export interface DemoIngest {
  summary: IngestSummary;
  /** The query, as a newcomer would type it. */
  query: string;
  byDepartment: DepartmentHours[];
  /** Person report rows in the view, and how many of them matched a user. */
  rows: number;
  matched: number;
}

/** The demo's query over the join view. */
export const DEMO_QUERY = `SELECT user_department AS department, avg("Collaboration hours") AS mean_hours, count(*) AS rows, count(user_id) AS matched
FROM viva_person_report_users GROUP BY ALL ORDER BY department NULLS LAST`;

/** A temp folder for the demo's database and re-keyed users sample, removed by `cleanup`. */
export function demoWorkFolder(cleanup: CleanupStack): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "viva-drop-demo-"));
  cleanup.add("remove the demo database", async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Microsoft's users sample and person report sample describe different people (no id in common). So that
 * the demo's join has something to show, the users sample is written again with its ids replaced by the
 * first PersonIds of the person report sample; everything else is as Microsoft wrote it.
 */
export function joinableUsersSample(usersFile: string, personReportFile: string, dir: string): string {
  const personIds: string[] = [];
  for (const line of readFileSync(personReportFile, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const id = (JSON.parse(line) as { PersonId?: string }).PersonId;
    if (id && !personIds.includes(id)) personIds.push(id);
  }
  const users = readFileSync(usersFile, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => JSON.stringify({ ...(JSON.parse(line) as Record<string, unknown>), id: personIds[i % personIds.length] }));
  const file = path.join(dir, "users-rekeyed.json");
  writeFileSync(file, `${users.join("\n")}\n`);
  return file;
}

/** Ingests the tenant container into `<dir>/demo.duckdb` with the production ingest, then runs {@link DEMO_QUERY}. */
export async function ingestDemo(containerUrl: string, keyOptions: KeyOptions, options: SourceOptions & { runFolders?: string[] }, dir: string): Promise<DemoIngest> {
  const { ingestDrops } = await import("../ingest/index");
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const file = path.join(dir, "demo.duckdb");
  const summary = await ingestDrops(containerUrl, file, keyOptions, options);
  const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  try {
    const conn = await instance.connect();
    try {
      const byDepartment = (await conn.runAndReadAll(DEMO_QUERY)).getRowObjectsJS().map((row) => ({
        department: row.department === null ? null : String(row.department),
        meanHours: Number(row.mean_hours),
        rows: Number(row.rows),
        matched: Number(row.matched),
      }));
      const rows = byDepartment.reduce((sum, d) => sum + d.rows, 0);
      const matched = byDepartment.reduce((sum, d) => sum + d.matched, 0);
      return { summary, query: DEMO_QUERY, byDepartment, rows, matched };
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
