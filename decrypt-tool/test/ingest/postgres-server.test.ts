/**
 * The test harness's PostgreSQL server itself: it runs, stop() leaves no process and no folder, and
 * a test process killed outright (SIGKILL, no stop()) still leaves nothing behind (the watchdog).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Client } from "pg";
import { startPostgres } from "../support/postgres-server";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(condition: () => boolean, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 10; i++) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

describe("startPostgres", () => {
  it("serves a database on loopback; stop() ends every postgres process and removes the data folder", async () => {
    const server = await startPostgres();
    let stopped = false;
    try {
      expect(server.url).toMatch(/^postgres:\/\/postgres:[\w-]+@127\.0\.0\.1:\d+\/postgres$/);
      const url = await server.createDatabase();
      const client = new Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query("SELECT current_setting('server_version_num')::int AS v, current_setting('server_encoding') AS e");
      await client.end();
      expect(rows[0].v).toBeGreaterThanOrEqual(180000);
      expect(rows[0].e).toBe("UTF8");
      expect(alive(server.pid)).toBe(true);
      await server.stop();
      stopped = true;
      expect(alive(server.pid)).toBe(false);
      expect(existsSync(server.dataDirectory)).toBe(false);
    } finally {
      if (!stopped) await server.stop();
    }
  });

  it("leaves nothing behind when the process that started it is killed outright", async () => {
    const script = `
      const { startPostgres } = require(${JSON.stringify(path.resolve(__dirname, "../support/postgres-server.ts"))});
      startPostgres().then((s) => process.stdout.write(JSON.stringify({ pid: s.pid, dir: s.dataDirectory }) + "\\n"));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const started = await new Promise<{ pid: number; dir: string }>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        if (out.includes("\n")) resolve(JSON.parse(out));
      });
      child.on("exit", (code) => reject(new Error(`child exited (${code}) before the server started`)));
    });
    expect(alive(started.pid)).toBe(true);
    child.kill("SIGKILL");
    expect(await waitFor(() => !alive(started.pid) && !existsSync(started.dir), 30)).toBe(true);
  });
});
