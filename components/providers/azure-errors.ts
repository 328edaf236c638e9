/** The message of an unknown thrown value, for building one-line error reports. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The HTTP status of an Azure SDK `RestError`, if the error carries one. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The service error code of an Azure SDK `RestError` (e.g. "Conflict"), if any. */
export function serviceCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Worth another try on the management plane: a conflict with a concurrent operation (409), and
 * throttling or server errors that outlasted the SDK's own retries.
 */
export function isTransientArmError(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === 409 || status === 429 || (status !== undefined && status >= 500);
}

/** `text` with line breaks and runs of white space folded, for one-line error reports. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Runs `operation`; a failure is rethrown as one Error whose message `describe` builds (cause kept). */
export async function withFailureMessage<T>(describe: (error: unknown) => string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new Error(describe(error), { cause: error });
  }
}
