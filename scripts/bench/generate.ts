/**
 * Synthetic data-drop generator for the benchmark (issue 5).
 *
 * Repeats the bundled sample PersonReport rows (fixtures/VivaInsightsDataset_v1.json, Microsoft, MIT)
 * with fresh PersonIds until the requested uncompressed size, then gzip → AES-256-CBC, streamed to
 * `<dir>/<tenant-guid>/<run-folder>/<data file>`, and writes metadata/JobMetadata/Metadata.json as
 * ../shared/drop-format.md describes (key wrapped with RSA-OAEP SHA-1 over the UTF-16LE text of the
 * Base64 AES key, as the seed says). The encrypter is ours: node:crypto with explicit parameters, no
 * code shared with decrypt-tool/.
 *
 * Usage (standalone): tsx scripts/bench/generate.ts --size 20m [--out <dir>]
 */
import { createCipheriv, createHash, generateKeyPair, publicEncrypt, randomBytes, randomUUID, constants } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs, promisify } from "node:util";
import { createGzip } from "node:zlib";
import { parseSize } from "./size";

export const DEFAULT_FIXTURE = resolve(__dirname, "..", "..", "fixtures", "VivaInsightsDataset_v1.json");

/** What generateDrop wrote, and the secrets a baseline pipeline (openssl) needs. */
export interface GeneratedDrop {
  /** Run folder: what `viva-drop verify <drop>` takes. */
  dropDir: string;
  /** The single encrypted data file (outside metadata/). */
  dataFile: string;
  metadataFile: string;
  /** PKCS#8 PEM of the tenant key's private half, for `--private-key`. */
  privateKeyPath: string;
  /** The AES-256 file key and IV, hex, for `openssl enc -K … -iv …`. */
  keyHex: string;
  ivHex: string;
  rows: number;
  /** Distinct PersonIds written. */
  people: number;
  /** NDJSON bytes before compression (what MB/s is computed on). */
  uncompressedBytes: number;
  /** SHA-256 (hex) of those NDJSON bytes. */
  sha256: string;
  /** Bytes of the encrypted data file on disk. */
  encryptedBytes: number;
  tenantId: string;
  columns: string[];
}

export interface GenerateOptions {
  /** Parent folder; the tenant container folder is created inside it. */
  dir: string;
  /** Target uncompressed size in bytes; generation stops at the first row boundary at or past it. */
  bytes: number;
  fixture?: string;
  /** gzip level (default 6, as zlib and ADF's "Optimal"-ish default). */
  gzipLevel?: number;
  /**
   * Encrypt the rows of this NDJSON file (whole lines ending in "\n") instead of generating them; `bytes`
   * is then ignored, and `people` of the result is 0 (not counted).
   */
  input?: string;
  /** The drop's TenantId (default: a new GUID). */
  tenantId?: string;
  /** The metadata's ExtractionResultId and JobCompletionTime (default: a new GUID, the time it finished). */
  extractionId?: string;
  jobCompletionTime?: string;
}

interface RowTemplate {
  /** Text before the PersonId value. */
  pre: string;
  /** Text after the PersonId value, without line terminator. */
  post: string;
  /** Index into the fixture's distinct PersonIds. */
  person: number;
  /** UTF-8 bytes of the row with a 36-character id and "\n". */
  bytes: number;
}

interface Fixture {
  rows: RowTemplate[];
  people: number;
  columns: string[];
  minDate: string;
  maxDate: string;
}

const PERSON_ID = /"PersonId"\s*:\s*"([^"]*)"/;

/** Splits every fixture row around its PersonId value so a fresh id can be spliced in cheaply. */
export function loadFixture(path: string = DEFAULT_FIXTURE): Fixture {
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  const people = new Map<string, number>();
  const rows: RowTemplate[] = [];
  let columns: string[] = [];
  let minDate = "";
  let maxDate = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "").trim();
    if (line === "") continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (columns.length === 0) columns = Object.keys(parsed);
    const date = String(parsed.MetricDate ?? "");
    if (date !== "" && (minDate === "" || date < minDate)) minDate = date;
    if (date > maxDate) maxDate = date;
    const m = PERSON_ID.exec(line);
    if (!m || m.index === undefined) throw new Error(`${path}: row without PersonId: ${line.slice(0, 80)}`);
    const valueStart = m.index + m[0].length - 1 - m[1].length;
    const id = m[1];
    if (!people.has(id)) people.set(id, people.size);
    const pre = line.slice(0, valueStart);
    const post = line.slice(valueStart + id.length);
    rows.push({ pre, post, person: people.get(id)!, bytes: Buffer.byteLength(pre) + 36 + Buffer.byteLength(post) + 1 });
  }
  if (rows.length === 0) throw new Error(`${path}: no rows`);
  return { rows, people: people.size, columns, minDate, maxDate };
}

/** Counts bytes passing through (the encrypted size, without a stat afterwards). */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

const CHUNK = 1 << 20;

interface Stats {
  rows: number;
  bytes: number;
  people: number;
  hash: ReturnType<typeof createHash>;
}

function emit(text: string, stats: Stats): Buffer {
  const buf = Buffer.from(text, "utf8");
  stats.hash.update(buf);
  return buf;
}

/**
 * NDJSON rows, one repetition of the fixture after another, each repetition with new PersonIds
 * (so the drop has rows/1000×84 distinct people), until `target` bytes. Yields ~1 MiB Buffers: the
 * pipeline's backpressure keeps memory flat whatever the size.
 */
async function* ndjson(fx: Fixture, target: number, stats: Stats): AsyncGenerator<Buffer> {
  let parts: string[] = [];
  let pending = 0;
  while (stats.bytes < target) {
    const ids = Array.from({ length: fx.people }, () => randomUUID());
    const seen = new Uint8Array(fx.people);
    for (const row of fx.rows) {
      if (stats.bytes >= target) break;
      parts.push(row.pre, ids[row.person], row.post, "\n");
      pending += row.bytes;
      stats.bytes += row.bytes;
      stats.rows += 1;
      if (seen[row.person] === 0) {
        seen[row.person] = 1;
        stats.people += 1;
      }
      if (pending >= CHUNK) {
        yield emit(parts.join(""), stats);
        parts = [];
        pending = 0;
      }
    }
  }
  if (parts.length > 0) yield emit(parts.join(""), stats);
}

/** The rows of an NDJSON file, counted (one row per "\n") and hashed as they pass. */
async function* ndjsonFile(path: string, stats: Stats): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    stats.bytes += chunk.length;
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) stats.rows += 1;
    stats.hash.update(chunk);
    yield chunk;
  }
}

/** Writes one synthetic drop; see the module comment. */
export async function generateDrop(opts: GenerateOptions): Promise<GeneratedDrop> {
  if (opts.input === undefined && !(opts.bytes > 0)) throw new Error(`generateDrop: size must be positive, got ${opts.bytes}`);
  const fx = loadFixture(opts.fixture);
  const tenantId = opts.tenantId ?? randomUUID();
  const runFolder = `${new Date().toISOString().slice(0, 10)}-${randomUUID()}`;
  const dropDir = join(opts.dir, tenantId, runFolder);
  const metaDir = join(dropDir, "metadata", "JobMetadata");
  mkdirSync(metaDir, { recursive: true });
  const dataFile = join(dropDir, "VivaInsightsDataset_PersonReport_v1.json");
  const privateKeyPath = join(opts.dir, `${tenantId}.private-key.pem`);

  // Tenant key pair (what Key Vault holds), file key and IV (what the pipeline makes per run).
  // Async: keeps the event loop free, so a Ctrl-C during generation is handled (and cleans up) at once.
  const { publicKey, privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  writeFileSync(privateKeyPath, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const wrapped = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
    Buffer.from(key.toString("base64"), "utf16le"),
  );

  const started = new Date();
  const stats: Stats = { rows: 0, bytes: 0, people: 0, hash: createHash("sha256") };
  const counter = new ByteCounter();
  await pipeline(
    opts.input === undefined ? ndjson(fx, opts.bytes, stats) : ndjsonFile(opts.input, stats),
    createGzip({ level: opts.gzipLevel ?? 6 }),
    createCipheriv("aes-256-cbc", key, iv), // PKCS#7 padding is node's default (setAutoPadding(true))
    counter,
    createWriteStream(dataFile),
  );

  const metadata = {
    CopyActivityId: randomUUID(),
    JobSubmissionTime: started.toISOString(),
    JobCompletionTime: opts.jobCompletionTime ?? new Date().toISOString(),
    RequestStartDate: fx.minDate,
    RequestEndDate: fx.maxDate,
    ColumnsRequested: fx.columns.join(","),
    NumberOfRowsExtracted: stats.rows,
    DataFactoryName: `viva-bench-adf-${tenantId.slice(0, 8)}`,
    TenantId: tenantId,
    Errors: "",
    TableName: "VivaInsightsDataset_PersonReport_v1",
    ApplicationId: randomUUID(),
    OfficeGeo: "NAM",
    ExtractionResultId: opts.extractionId ?? randomUUID(),
    PublicKeyVersion: randomBytes(16).toString("hex"),
    DecryptionKeyDetails: { DecryptionKeyType: "File", value: wrapped.toString("base64"), iv: iv.toString("base64") },
  };
  const metadataFile = join(metaDir, "Metadata.json");
  writeFileSync(metadataFile, JSON.stringify(metadata, null, 2));

  return {
    dropDir,
    dataFile,
    metadataFile,
    privateKeyPath,
    keyHex: key.toString("hex"),
    ivHex: iv.toString("hex"),
    rows: stats.rows,
    people: stats.people,
    uncompressedBytes: stats.bytes,
    sha256: stats.hash.digest("hex"),
    encryptedBytes: counter.bytes,
    tenantId,
    columns: fx.columns,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { size: { type: "string", default: "20m" }, out: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    process.stdout.write("usage: tsx scripts/bench/generate.ts [--size 20m|400m|1g] [--out <dir>]\n");
    return;
  }
  const dir = values.out ? resolve(values.out) : mkdtempSync(join(tmpdir(), "viva-drop-"));
  mkdirSync(dir, { recursive: true });
  const drop = await generateDrop({ dir, bytes: parseSize(values.size!) });
  process.stdout.write(JSON.stringify({ ...drop, columns: drop.columns.length, dataFileSize: statSync(drop.dataFile).size }, null, 2) + "\n");
  process.stderr.write(`generated in ${dir} — delete it when done (it holds the private key)\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`generate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
