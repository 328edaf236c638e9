import type { Command } from "commander";

/** Registers `viva-drop demo` on the program. */
export function register(program: Command): void {
  program.command("demo").description("Run the end-to-end demo on a local Azurite emulator (work in progress)");
}
