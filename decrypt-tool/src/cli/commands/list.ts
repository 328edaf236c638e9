import type { Command } from "commander";
import type { DropListing } from "../../list-drops";
import { inCliTerms } from "../flag-names";
import { formatBytes, formatCount, formatTable } from "../format";
import { addCommonOptions, type CommonCliOptions, sourceOptionsFrom } from "../options";
import { runForDrop } from "../report";
import { writeStdout } from "../stdout";

/** Registers `viva-drop list`: the drops in a tenant container or folder. */
export function register(program: Command): void {
  const command = program
    .command("list")
    .description("list the drops in a tenant container or folder: run folder, table, date range, rows claimed, errors, size")
    .argument("<location>", "tenant folder, or container URL: https://<account>.blob.core.windows.net/<tenant-guid>")
    .option("--json", "print the list as JSON");
  addCommonOptions(command);
  command.action(async (location: string, options: CommonCliOptions) => {
    await runForDrop(location, options.verbose ?? false, async () => {
      // Loaded when the command runs, not at start-up (see cli/main.ts).
      const { listDrops } = await import("../../list-drops");
      const drops = await listDrops(location, sourceOptionsFrom(options));
      await writeStdout(options.json ? `${JSON.stringify(drops, null, 2)}\n` : formatListing(drops));
    });
  });
}

/** The table printed by `list`. */
function formatListing(drops: DropListing[]): string {
  if (drops.length === 0) return "no drops found\n";
  return formatTable(
    ["RUN FOLDER", "TABLE", "FROM", "TO", "ROWS", "SIZE", "STATUS / ERRORS"],
    drops.map((d) => [
      d.runFolder,
      d.tableName ?? "-",
      d.requestStartDate ?? "-",
      d.requestEndDate ?? "-",
      d.rowsClaimed === undefined ? "-" : formatCount(d.rowsClaimed),
      formatBytes(d.sizeBytes),
      listingStatus(d),
    ]),
  );
}

// "ok", the service's Errors text of a failed run, or what is wrong with the drop.
function listingStatus(d: DropListing): string {
  if (d.problem) return `unreadable: ${inCliTerms(d.problem)}`;
  if (d.errors) return `failed: ${d.errors}`;
  if (d.dataFiles === 0 && d.rowsClaimed !== 0) return "no data file";
  return "ok";
}
