/**
 * Exit codes scripts can rely on: each says what kind of thing went wrong, so a script can tell
 * "the job failed" from "the coordinator is down" without parsing text.
 */
export const EXIT = {
  OK: 0,
  /** A bug or something unforeseen; the message says what. */
  UNEXPECTED: 1,
  /** Bad flags or arguments; nothing was sent. */
  USAGE: 2,
  /** The coordinator refused the request (4xx other than those below); `code` is printed. */
  REFUSED: 3,
  /** 404: no such job, service, or another client's job. */
  NOT_FOUND: 4,
  /** 401/403: missing, unknown or wrong-role key. */
  AUTH: 5,
  /** `wait`/`submit --wait`: the job ended FAILED, CANCELED or EXPIRED. */
  JOB_UNSUCCESSFUL: 6,
  /** `wait`: still not finished when --timeout ran out. */
  TIMEOUT: 7,
  /** `verify`: the receipt is not signed by one of the coordinator's published keys. */
  RECEIPT_INVALID: 8,
  /** The coordinator could not be reached, or answered 5xx after retries. */
  UNAVAILABLE: 9,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with a chosen exit code and a one-line message. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
