import type { Command } from "commander";

/** Registers `viva-drop simulate` on the program. */
export function register(program: Command): void {
  program.command("simulate").description("Write a simulated data drop from NDJSON rows (work in progress)");
}
