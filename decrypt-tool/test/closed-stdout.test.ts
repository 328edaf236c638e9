import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, CLI_BIN } from "./support/run-cli";

beforeAll(assertBuilt);

/** Runs the CLI with a stdout pipe that is already closed when the CLI first writes to it. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    const stderr: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr: Buffer.concat(stderr).toString("utf8") }));
  });
}

describe("a reader that stops early (viva-drop … | head)", () => {
  it("ends help output quietly with exit code 0", async () => {
    const { code, stderr } = await runWithClosedStdout(["--help"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
