import { describeSinkTarget } from "../target";

/** The URL for messages, without its password (in the URL or as a query parameter). */
export function describePostgresUrl(url: string): string {
  return describeSinkTarget({ kind: "postgres", url });
}
