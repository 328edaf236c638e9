// Builds encrypted drops for tests with node:crypto and explicit parameters. Deliberately shares no code
// with the decrypter in src/, so a round trip checks the documented format, not our own assumptions twice.
import { constants, createCipheriv, generateKeyPairSync, publicEncrypt, randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

export type TestKeyText = "utf16le" | "utf8" | "raw";
export type TestPadding = "RSA-OAEP" | "RSA-OAEP-256" | "RSA1_5";

export interface TestKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

/** A fresh RSA-2048 key pair (PEM). */
export function makeKeyPair(): TestKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

export interface TestDropSpec {
  publicKeyPem: string;
  /** Content of each data part as NDJSON (before gzip + AES). Default: one part of `rows`. */
  parts?: (string | Buffer)[];
  /** Rows to serialize into a single part when `parts` is not given. */
  rows?: Record<string, unknown>[];
  /** Data part file names (relative to the drop root); default data/part-00000.json.gz.enc … */
  partNames?: string[];
  keyText?: TestKeyText;
  padding?: TestPadding;
  layout?: "viva" | "mgdc";
  tenantId?: string;
  /** Fields merged over the generated Metadata.json (undefined deletes a field). */
  metadata?: Record<string, unknown>;
  /** Write DecryptionKeyDetails as a JSON string instead of an object. */
  keyDetailsAsString?: boolean;
  /** Prefix Metadata.json with a UTF-8 BOM. */
  bom?: boolean;
  /** Override the RSA plaintext (to test unknown key texts). */
  keyPlaintext?: Buffer;
}

export interface TestDrop {
  dir: string;
  aesKey: Buffer;
  iv: Buffer;
  metadata: Record<string, unknown>;
  partPaths: string[];
}

/** A temp folder (caller removes it). */
export function makeTempDir(label = "viva-drop-test-"): string {
  return mkdtempSync(path.join(tmpdir(), label));
}

/** What CLI tests start from: a temp folder (the caller removes it) holding a fresh key pair's private key as PEM. */
export function makeKeyedTempDir(): { root: string; keys: TestKeyPair; pemFile: string } {
  const keys = makeKeyPair();
  const root = makeTempDir();
  const pemFile = path.join(root, "key.pem");
  writeFileSync(pemFile, keys.privateKeyPem);
  return { root, keys, pemFile };
}

/** Rows shaped like the Viva PersonReport sample. */
export function sampleRows(count: number, people = Math.max(1, Math.ceil(count / 3))): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    PersonId: `00000000-0000-4000-8000-${String(i % people).padStart(12, "0")}`,
    MetricDate: `2024-0${1 + (i % 3)}-0${1 + (i % 7)}T00:00:00Z`,
    IsActive: i % 2 === 0,
    "Collaboration hours": String(10 + i / 7),
    "Small-group meeting, call, and chat hours": String(i % 5),
    "Emails sent": String(i),
  }));
}

/** Serializes rows as NDJSON (one object per line, trailing newline). */
export function toNdjson(rows: Record<string, unknown>[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length > 0 ? "\n" : "");
}

/** AES-256-CBC (PKCS#7) over gzip, as the service writes a data file. */
export function encryptPart(plain: string | Buffer, aesKey: Buffer, iv: Buffer): Buffer {
  const cipher = createCipheriv("aes-256-cbc", aesKey, iv);
  return Buffer.concat([cipher.update(gzipSync(plain)), cipher.final()]);
}

/** Writes a complete drop under a new folder `<parent>/<tenant>/<run>` and returns where and with what keys. */
export function writeTestDrop(parent: string, spec: TestDropSpec): TestDrop {
  const tenantId = spec.tenantId ?? randomUUID();
  const dir = path.join(parent, tenantId, `run-${randomUUID().slice(0, 8)}`);
  mkdirSync(dir, { recursive: true });
  const aesKey = randomBytes(32);
  const iv = randomBytes(16);
  const parts = spec.parts ?? [toNdjson(spec.rows ?? sampleRows(5))];
  const partPaths = parts.map((_, i) => spec.partNames?.[i] ?? `data/part-${String(i).padStart(5, "0")}.json.gz.enc`);
  parts.forEach((content, i) => {
    const file = path.join(dir, ...partPaths[i].split("/"));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, encryptPart(content, aesKey, iv));
  });
  const wrapped = wrapKey(spec.keyPlaintext ?? keyText(aesKey, spec.keyText ?? "utf16le"), spec.publicKeyPem, spec.padding ?? "RSA-OAEP");
  const rowCount = parts.reduce((sum, p) => sum + p.toString().split("\n").filter((l) => l.trim() !== "").length, 0);
  const details = { DecryptionKeyType: "File", value: wrapped.toString("base64"), iv: iv.toString("base64") };
  const metadata: Record<string, unknown> = {
    CopyActivityId: randomUUID(),
    JobSubmissionTime: "2024-04-01T00:00:00Z",
    JobCompletionTime: "2024-04-01T00:20:00Z",
    RequestStartDate: "2024-01-01T00:00:00Z",
    RequestEndDate: "2024-03-31T00:00:00Z",
    ColumnsRequested: "PersonId,MetricDate,IsActive,Collaboration hours,Small-group meeting, call, and chat hours,Emails sent",
    NumberOfRowsExtracted: rowCount,
    DataFactoryName: "adf-test",
    TenantId: tenantId,
    Errors: "",
    TableName: "VivaInsightsDataset_PersonReport_v1",
    ApplicationId: randomUUID(),
    OfficeGeo: "EU",
    ExtractionResultId: randomUUID(),
    PublicKeyVersion: "0123456789abcdef0123456789abcdef",
    DecryptionKeyDetails: spec.keyDetailsAsString ? JSON.stringify(details) : details,
  };
  for (const [name, value] of Object.entries(spec.metadata ?? {})) {
    if (value === undefined) delete metadata[name];
    else metadata[name] = value;
  }
  if ((spec.layout ?? "viva") === "viva") {
    writeJson(path.join(dir, "metadata", "JobMetadata", "Metadata.json"), metadata, spec.bom);
  } else {
    writeJson(path.join(dir, "metadata", "MoreMetadata", "EncryptedDatasets", "encryptionKeyDetails.json"), {
      PublicKeyVersion: metadata.PublicKeyVersion,
      DecryptionKeyValue: details.value,
      DecryptionKeyIV: details.iv,
    });
  }
  return { dir, aesKey, iv, metadata, partPaths };
}

/** The RSA plaintext for an AES key in each accepted form. */
export function keyText(aesKey: Buffer, form: TestKeyText): Buffer {
  if (form === "raw") return aesKey;
  return Buffer.from(aesKey.toString("base64"), form === "utf16le" ? "utf16le" : "utf8");
}

/** RSA-OAEP (SHA-1), RSA-OAEP-256 or PKCS#1 v1.5 encryption with the public key. */
export function wrapKey(plaintext: Buffer, publicKeyPem: string, padding: TestPadding): Buffer {
  if (padding === "RSA1_5") return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_PADDING }, plaintext);
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: padding === "RSA-OAEP-256" ? "sha256" : "sha1" }, plaintext);
}

function writeJson(file: string, value: unknown, bom = false): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, (bom ? "\uFEFF" : "") + JSON.stringify(value, null, 2));
}
