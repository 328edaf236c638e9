/** PostgreSQL keeps at most NAMEDATALEN - 1 = 63 bytes of an identifier and silently cuts the rest. */
export const MAX_IDENTIFIER_BYTES = 63;

/** `name` as a quoted identifier: safe for any text PostgreSQL accepts as a name. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A comma-separated list of quoted identifiers. */
export function identifierList(names: readonly string[]): string {
  return names.map(quoteIdentifier).join(", ");
}

/**
 * Why PostgreSQL cannot hold `name` exactly as given, or undefined when it can. `prefix` is text the
 * sink puts before the name (the view's `user_`), which counts toward the limit.
 */
export function identifierProblem(name: string, prefix = ""): string | undefined {
  if (name === "") return "is empty";
  if (name.includes("\0")) return "contains a NUL character";
  const bytes = Buffer.byteLength(prefix + name, "utf8");
  if (bytes > MAX_IDENTIFIER_BYTES) {
    const what = prefix ? `as "${prefix}${name}" (in the view) is` : "is";
    return `${what} ${bytes} bytes long; PostgreSQL keeps only the first ${MAX_IDENTIFIER_BYTES} bytes of a name`;
  }
  return undefined;
}
