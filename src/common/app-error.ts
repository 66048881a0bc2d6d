/**
 * The base of every error the service raises on purpose. The class says what happened, so that
 * retries, refusals and HTTP answers are decided by it and never by reading a message: `code`
 * names it, `transient` says whether doing the same again may succeed, and `httpStatus` is the
 * answer an API caller gets (none: a 500 that reveals nothing). An error a library raised is
 * turned into one of these once, in the class that wraps that library, and kept as its `cause`.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  /** A dropped connection or a busy database may clear; a refusal, a wrong state or bad data will not. */
  readonly transient: boolean = false;
  readonly httpStatus?: number;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }

  /** What an API caller reads: the message, and any field that goes beside it in the body. */
  toResponse(): { readonly message: string; readonly [field: string]: unknown } {
    return { message: this.message };
  }
}

/** Whether an error is worth one more try: only an `AppError` that says so; anything unclassified fails at once. */
export function isTransient(error: unknown): boolean {
  return error instanceof AppError && error.transient;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
