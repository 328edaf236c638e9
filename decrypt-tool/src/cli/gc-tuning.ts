import { setFlagsFromString } from "node:v8";

/**
 * For commands that stream a whole drop through this process (decrypt, verify). Once the heap is past
 * V8's 8 MB threshold (zod, commander and our modules take it there), every scavenge, and zlib's fresh
 * output buffers cause one every ~16 MB, starts an incremental marking cycle: the whole, constant heap is
 * marked again and every write barrier is slowed meanwhile. Measured on 400 MB: 7 such cycles, ~15 % of
 * decrypt's CPU, and no memory saved (dead buffers still go with the scavenges, and V8 still runs full
 * collections at its limits: peak RSS is the same). Not for ingest: its rows become JavaScript objects
 * (the row path, the PostgreSQL sink), and without incremental marking their garbage waited for full
 * collections — peak RSS of a 400 MB PostgreSQL ingest rose from ~180 to ~300 MB for ~10 % less CPU.
 * Only the CLI does this, in the process it owns; the library never changes V8 flags.
 */
export function tuneGcForStreaming(): void {
  setFlagsFromString("--no-incremental-marking");
}
