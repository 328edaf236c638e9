/**
 * The six ways of reading a drop that issue 5 compares, as pipelines for runMeasured, with the way
 * each one's row count (or byte count) is read back for the correctness guard; and (issue 10) the floor
 * and decrypt again with both pinned to one core, which shows what the second core hides.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import type { GeneratedDrop } from "./generate";
import type { Stage } from "./measure";

export type MethodId = "a" | "b" | "c" | "d" | "e" | "f" | "a1" | "e1";

export interface Method {
  id: MethodId;
  /** Short label for the table. */
  label: string;
  stages: Stage[];
  stdout: "capture" | "discard";
  /** Row count out of the run's stdout; null when this method cannot tell (checked elsewhere). */
  rows(stdout: string): number | null;
  /** For the floor: uncompressed bytes it saw. */
  bytes?(stdout: string): number | null;
  /** Why this method was not run (tool missing). */
  skipped?: string;
}

export const REPO = resolve(__dirname, "..", "..");
export const VIVA_DROP_BIN = resolve(REPO, "decrypt-tool", "bin", "viva-drop.js");
export const VIVA_DROP_DIST = resolve(REPO, "decrypt-tool", "dist");
const CHILDREN = resolve(__dirname, "children");

/** True when `cmd --version`-like probing finds the command on PATH. */
export function hasCommand(cmd: string): boolean {
  const r = spawnSync("bash", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
  return r.status === 0;
}

/** First line of `cmd args…` (versions for the machine description), or null. */
export function commandOutput(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0 || r.error) return null;
  return (r.stdout || r.stderr).trim().split("\n")[0] ?? null;
}

const wcLines = (stdout: string): number | null => {
  const n = Number.parseInt(stdout.trim(), 10);
  return Number.isFinite(n) ? n : null;
};

/** A numeric field of the JSON object a method prints on stdout (children/*.cjs, `verify --json`). */
export const jsonField = (field: string) => (stdout: string): number | null => {
  try {
    const v = (JSON.parse(stdout) as Record<string, unknown>)[field];
    return typeof v === "number" ? v : null;
  } catch {
    return null;
  }
};

export interface MethodEnv {
  openssl: boolean;
  gzip: boolean;
  jq: boolean;
  wc: boolean;
  taskset: boolean;
}

export function detectTools(): MethodEnv {
  return { openssl: hasCommand("openssl"), gzip: hasCommand("gzip"), jq: hasCommand("jq"), wc: hasCommand("wc"), taskset: hasCommand("taskset") };
}

/** The prefix that runs a command on CPU 0 only. */
export const PIN_TO_ONE_CORE = ["taskset", "-c", "0"];

/** The methods for one drop, in report order; `pinned` adds (a1) and (e1). */
export function methodsFor(drop: GeneratedDrop, tools: MethodEnv, pinned = true): Method[] {
  const node = process.execPath;
  const opensslStage: Stage = ["openssl", "enc", "-d", "-aes-256-cbc", "-K", drop.keyHex, "-iv", drop.ivHex, "-in", drop.dataFile];
  const shellMissing = [!tools.openssl && "openssl", !tools.gzip && "gzip", !tools.wc && "wc"].filter(Boolean).join(", ");
  const key = ["--private-key", drop.privateKeyPath];
  const methods: Method[] = [
    {
      id: "a",
      label: "floor: node:crypto decipher + zlib gunzip, bytes discarded",
      stages: [[node, resolve(CHILDREN, "floor.cjs"), drop.dataFile, drop.keyHex, drop.ivHex]],
      stdout: "capture",
      rows: () => null,
      bytes: jsonField("bytes"),
    },
    {
      id: "b",
      label: "openssl | gzip -dc | wc -l",
      stages: [opensslStage, ["gzip", "-dc"], ["wc", "-l"]],
      stdout: "capture",
      rows: wcLines,
      skipped: shellMissing ? `not on PATH: ${shellMissing}` : undefined,
    },
    {
      id: "c",
      label: "openssl | gzip -dc | jq -c . | wc -l",
      stages: [opensslStage, ["gzip", "-dc"], ["jq", "-c", "."], ["wc", "-l"]],
      stdout: "capture",
      rows: wcLines,
      skipped: shellMissing || !tools.jq ? `not on PATH: ${[shellMissing, !tools.jq && "jq"].filter(Boolean).join(", ")}` : undefined,
    },
    {
      id: "d",
      label: "viva-drop verify",
      stages: [[node, VIVA_DROP_BIN, "verify", drop.dropDir, ...key, "--json"]],
      stdout: "capture",
      rows: jsonField("rows"),
    },
    {
      id: "e",
      label: "viva-drop decrypt > /dev/null",
      stages: [[node, VIVA_DROP_BIN, "decrypt", drop.dropDir, ...key]],
      stdout: "discard",
      rows: () => null, // counted by an extra, untimed `decrypt | wc -l` run (decryptCountStages)
    },
    {
      id: "f",
      label: "library: openDrop(…).rows() to the end",
      stages: [[node, resolve(CHILDREN, "rows.cjs"), VIVA_DROP_DIST, drop.dropDir, drop.privateKeyPath]],
      stdout: "capture",
      rows: jsonField("rows"),
    },
  ];
  if (!pinned) return methods;
  const pin = (id: "a" | "e", pinnedId: "a1" | "e1"): Method => {
    const base = methods.find((m) => m.id === id)!;
    return {
      ...base,
      id: pinnedId,
      label: `${base.label}, pinned to one core`,
      stages: [[...PIN_TO_ONE_CORE, ...base.stages[0]]],
      skipped: tools.taskset ? undefined : "not on PATH: taskset (Debian package util-linux)",
    };
  };
  return [...methods, pin("a", "a1"), pin("e", "e1")];
}

/**
 * (e) with its output counted and hashed: the untimed correctness run that backs (e)'s row count
 * (prints {"rows", "bytes", "sha256"}).
 */
export function decryptCountStages(e: Method): Stage[] {
  return [...e.stages, [process.execPath, resolve(CHILDREN, "count.cjs")]];
}
