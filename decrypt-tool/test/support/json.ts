/** The reference for what a row is: `JSON.parse` accepts the text and gives an object (not an array, not null). */
export function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}
