import { spawn } from "node:child_process";

/** Another process that opens the DuckDB file for writing and keeps it (and its lock) until stop(). */
export async function holdDuckDbFile(file: string): Promise<{ pid: number; stop(): void }> {
  const script = `require(${JSON.stringify(require.resolve("@duckdb/node-api"))}).DuckDBInstance.create(${JSON.stringify(file)}).then(() => { console.log("held"); setInterval(() => {}, 1000); })`;
  const holder = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once("data", () => resolve());
      holder.once("exit", (code) => reject(new Error(`the process meant to hold ${file} exited (${code})`)));
    });
  } catch (error) {
    holder.kill("SIGKILL");
    throw error;
  }
  return { pid: holder.pid!, stop: () => void holder.kill("SIGKILL") };
}
