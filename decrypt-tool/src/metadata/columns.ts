/**
 * Splits the service's comma-separated ColumnsRequested text into column names.
 *
 * Some Viva column names contain commas ("Small-group meeting, call, and chat hours"), so a plain
 * split is wrong. In those names the comma is always followed by a space, so:
 * - when `knownColumns` (e.g. the keys of the first data row) are given, adjacent pieces are merged
 *   until they form a known name — this is exact whenever the data carries the columns;
 * - otherwise, if the list uses bare commas as separators, a comma followed by a space is read as part
 *   of a name;
 * - otherwise (the list itself is joined with ", ") it is split on every comma and `ambiguous` is true.
 */
export function parseColumnsRequested(text: string, knownColumns?: Iterable<string>): { columns: string[]; ambiguous: boolean } {
  const trimmed = text.trim();
  if (trimmed === "") return { columns: [], ambiguous: false };
  const pieces = trimmed.split(",");
  const known = knownColumns ? new Set(knownColumns) : undefined;
  if (known && known.size > 0) {
    const merged = mergeKnown(pieces, known);
    if (merged) return { columns: merged, ambiguous: false };
  }
  if (/,(?! )/.test(trimmed)) {
    return { columns: trimmed.split(/,(?! )/).map((c) => c.trim()).filter((c) => c !== ""), ambiguous: false };
  }
  return { columns: pieces.map((c) => c.trim()).filter((c) => c !== ""), ambiguous: pieces.length > 1 };
}

// Greedy merge of comma pieces into names from `known`; undefined if some piece cannot be placed.
function mergeKnown(pieces: string[], known: Set<string>): string[] | undefined {
  const columns: string[] = [];
  let index = 0;
  while (index < pieces.length) {
    let found = -1;
    // Longest match first, so "A, B" wins over "A" when both are known.
    for (let end = pieces.length; end > index; end--) {
      if (known.has(pieces.slice(index, end).join(",").trim())) {
        found = end;
        break;
      }
    }
    if (found < 0) return undefined;
    columns.push(pieces.slice(index, found).join(",").trim());
    index = found;
  }
  return columns;
}
