// Drops for the ingest tests: named run folders in tenant folders, rows shaped like the person report and
// User_v1 samples, written with the independent test encrypter (support/test-drop.ts).
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { makeTempDir, toNdjson, writeTestDrop, type TestDropSpec } from "./test-drop";

export const TENANT = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
export const OTHER_TENANT = "0a0b0c0d-1111-4222-8333-444455556666";

/** A person id of the tests (lower-case GUID). */
export const person = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** Person report rows for `people` × `dates`; `value` sets Collaboration hours (as the service does: a number in text). */
export function personRows(people: number[], dates: string[], value: (p: number, d: string) => string, extra: Record<string, unknown> = {}): Record<string, unknown>[] {
  return people.flatMap((p) =>
    dates.map((d) => ({ PersonId: person(p).toUpperCase(), MetricDate: `${d}T00:00:00Z`, IsActive: p % 2 === 0, "Collaboration hours": value(p, d), Organization: `org-${p % 3}`, ...extra })),
  );
}

/** User_v1 rows for `people`. */
export function userRows(people: number[], department: (p: number) => string | null): Record<string, unknown>[] {
  return people.map((p) => ({ id: person(p), mail: `user${p}@contoso.example`, department: department(p), accountEnabled: true, businessPhones: [`+1 555 01${p}`], mobilePhone: null }));
}

export interface DropSpec extends Omit<TestDropSpec, "publicKeyPem" | "tenantId"> {
  completedAt?: string;
  table?: string;
}

/** Writes a drop into `<root>/<tenant>/<runFolder>` and returns its folder. */
export function writeDrop(root: string, tenant: string, runFolder: string, publicKeyPem: string, spec: DropSpec): string {
  const scratch = makeTempDir("viva-ingest-drop-");
  try {
    const drop = writeTestDrop(scratch, {
      ...spec,
      publicKeyPem,
      tenantId: tenant,
      metadata: {
        ...(spec.completedAt ? { JobCompletionTime: spec.completedAt } : {}),
        ...(spec.table ? { TableName: spec.table } : {}),
        ...spec.metadata,
      },
    });
    const target = path.join(root, tenant, runFolder);
    mkdirSync(path.dirname(target), { recursive: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(drop.dir, target);
    return target;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Rows as the data part text of a drop. */
export const ndjson = toNdjson;

/** Copies run folders (by name) from one tenant folder to another. */
export function copyRuns(from: string, to: string, runs: string[]): void {
  for (const run of runs) cpSync(path.join(from, run), path.join(to, run), { recursive: true });
}

/** Uploads a local folder's files under `prefix` in the container. */
export async function uploadFolder(container: ContainerClient, dir: string, prefix: string): Promise<void> {
  const walk = (relative: string): string[] =>
    readdirSync(path.join(dir, relative)).flatMap((name) => {
      const child = relative ? `${relative}/${name}` : name;
      return statSync(path.join(dir, child)).isDirectory() ? walk(child) : [child];
    });
  for (const file of walk("")) {
    const content = readFileSync(path.join(dir, file));
    await container.getBlockBlobClient(`${prefix}/${file}`).upload(content, content.length);
  }
}

/** Writes a private key PEM file. */
export function writePem(dir: string, pem: string): string {
  const file = path.join(dir, "tenant-key.pem");
  writeFileSync(file, pem, { mode: 0o600 });
  return file;
}
