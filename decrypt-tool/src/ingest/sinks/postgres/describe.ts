import { describeSinkTarget } from "../target";

/** The URL for messages: describeSinkTarget's, also without a password given as a query parameter. */
export function describePostgresUrl(url: string): string {
  const text = describeSinkTarget({ kind: "postgres", url });
  try {
    const parsed = new URL(text);
    let changed = false;
    for (const key of ["password", "sslpassword"]) {
      if (parsed.searchParams.has(key)) {
        parsed.searchParams.set(key, "***");
        changed = true;
      }
    }
    return changed ? parsed.toString() : text;
  } catch {
    return text;
  }
}
