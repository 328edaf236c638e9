import { type DropErrorCode, isDropError } from "../errors";
import { DropRejectedError } from "./sinks/sink";

/**
 * Failures that belong to the drop's files, so they are recorded (`rejected`) and retried only when the
 * files change: bad metadata, no data, decryption and verification failures, and key text that is not a
 * key. Key problems that depend on the key options or the vault (unavailable, access denied, wrong key,
 * unsupported padding) are not among them: recording those would block the retry after the key is fixed.
 */
const REJECTING_CODES: readonly DropErrorCode[] = [
  "METADATA_MISSING",
  "METADATA_INVALID",
  "DATA_MISSING",
  "KEY_TEXT_INVALID",
  "DECRYPT_FAILED",
  "DATA_CORRUPT",
  "JSON_INVALID",
  "ROW_COUNT_MISMATCH",
];

/** True when `error` means the drop itself is bad (record it rejected), rather than the run (stop). */
export function isRejection(error: unknown): error is Error {
  return error instanceof DropRejectedError || (isDropError(error) && REJECTING_CODES.includes(error.code));
}
