/**
 * PostgreSQL and socket failures → one-line messages. Server messages of data errors (class 22)
 * quote the offending value and details of constraint errors quote keys, so neither is ever used:
 * those become messages naming the column and row only.
 */
import { describeError } from "../../../errors";
import { DropRejectedError, SinkError } from "../sink";

/** What pg's DatabaseError carries (the fields used here). */
interface PgError extends Error {
  code?: string;
  column?: string;
  constraint?: string;
  where?: string;
  severity?: string;
}

function asPgError(error: unknown): PgError | undefined {
  return error instanceof Error ? (error as PgError) : undefined;
}

/** The SQLSTATE of a server error, when it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = asPgError(error)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const DATA_ERRORS: Record<string, string> = {
  "22P02": "is not valid input for the column's type",
  "22003": "is out of range for the column's type",
  "22007": "is not a valid date-time",
  "22008": "is a date-time out of range",
  "22P05": "holds a character or escape PostgreSQL cannot store",
  "22021": "is not valid UTF-8",
  "22025": "holds an invalid escape sequence",
  "22001": "is too long for the column",
};

/** `COPY <table>, line <n>, column <name>: "<value>"` — the line and the column, never the value. */
function copyPosition(where: string | undefined): { line: number; column?: string } | undefined {
  const m = where && /COPY [^,]+, line (\d+)(?:, column (.*?)(?::\s"|$))?/.exec(where);
  return m ? { line: Number(m[1]), column: m[2] } : undefined;
}

export interface RejectionContext {
  /** The drop's 1-based row number of the current COPY's first row. */
  firstRow: number;
  /** What two rows with the same key share, e.g. "(person_id, metric_date)". */
  key: string;
}

/**
 * Two rows of the drop have the same key. `row` is the first row that repeats an earlier one, when the
 * server said which (a COPY straight into the table stops there); the sink then looks for the earlier row.
 */
export class RepeatedKeyError extends DropRejectedError {
  constructor(
    readonly key: string,
    readonly row?: number,
  ) {
    super(row === undefined ? `two rows of the drop have the same ${key}` : `row ${row} of the drop repeats the ${key} of an earlier row`);
  }
}

/**
 * The rejection a server error means for the drop being loaded, or undefined when the error is the
 * sink's own problem (connection, permissions, disk, …).
 */
export function rejectionFor(error: unknown, context: RejectionContext): DropRejectedError | undefined {
  const state = sqlState(error);
  if (state === undefined) return undefined;
  const pg = asPgError(error)!;
  if (state.startsWith("22")) {
    const pos = copyPosition(pg.where);
    const where = pos ? `${pos.column ? `column "${pos.column}", ` : ""}row ${context.firstRow + pos.line - 1}` : "a value";
    return new DropRejectedError(`${where}: the value ${DATA_ERRORS[state] ?? `was refused by PostgreSQL (SQLSTATE ${state})`}`);
  }
  if (state === "21000" || (state === "23505" && pg.constraint?.startsWith("viva_"))) {
    const pos = copyPosition(pg.where);
    return new RepeatedKeyError(context.key, pos ? context.firstRow + pos.line - 1 : undefined);
  }
  if (state === "23502") return new DropRejectedError(`a row has no value for ${pg.column ? `"${pg.column}"` : "a key column"}`);
  if (state.startsWith("54")) return new DropRejectedError(`PostgreSQL cannot store the drop: ${oneLine(pg.message)}`);
  return undefined;
}

function oneLine(text: string): string {
  return describeError(new Error(text));
}

/** Network errors as a person would say them. */
function describeSocketError(error: NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string }): string | undefined {
  const where = error.address ? `${error.address}${error.port ? `:${error.port}` : ""}` : (error.hostname ?? "");
  switch (error.code) {
    case "ECONNREFUSED":
      return `cannot connect: connection refused at ${where} (is PostgreSQL running there?)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot connect: host ${error.hostname ? `"${error.hostname}" ` : ""}not found`;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `cannot connect: ${where || "the server"} is unreachable (${error.code})`;
    case "ECONNRESET":
    case "EPIPE":
      return "the connection to PostgreSQL was lost";
  }
  return undefined;
}

/** Removes `secret` from `text` (defensive: the driver's messages should not hold it). */
function redact(text: string, secret: string | undefined): string {
  return secret && secret.length >= 3 ? text.split(secret).join("***") : text;
}

/**
 * A failure of the sink, as one line: what it was doing (when given), then why. `password` is removed
 * from the text should the driver ever quote it.
 */
export function sinkFailure(sink: string, error: unknown, options: { doing?: string; password?: string } = {}): SinkError {
  if (error instanceof SinkError) return error;
  const state = sqlState(error);
  let why: string;
  if (state === undefined) {
    const socket = describeSocketError(error as NodeJS.ErrnoException);
    const text = describeError(error);
    if (socket) why = socket;
    else if (/timeout/i.test(text) && /connect/i.test(text)) why = "cannot connect: the server did not answer in time";
    else if (/SASL|client password must be a string/i.test(text))
      why = "the server asks for a password and none was given (put it in the URL or set PGPASSWORD)";
    else if (/Connection terminated|not queryable/i.test(text)) why = "the connection to PostgreSQL was lost";
    else why = text;
  } else if (state.startsWith("22") || state.startsWith("23")) {
    why = `a statement failed (SQLSTATE ${state})`;
  } else {
    why = oneLine(asPgError(error)!.message);
    if (state === "42501") why += " (the role needs CREATE on the schema, and to own the viva_ tables)";
    else if (state === "57P01") why += " (an administrator ended the session, or the server is shutting down)";
    else if (state === "57P02" || state === "57P03") why += " (the server is restarting)";
  }
  return new SinkError(sink, redact(options.doing ? `${options.doing}: ${why}` : why, options.password), { cause: error });
}
