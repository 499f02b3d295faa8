// Errors as values with a code; one table maps codes to HTTP statuses. The user sees the
// message (already a sentence in their language), the log sees the cause.
export type ErrorCode =
  | "INVALID"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_LARGE"
  | "RATE_LIMITED";

export const statusOf: Record<ErrorCode, number> = {
  INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** A message key from the i18n catalogue. */
    readonly messageKey: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(`${code}: ${messageKey}`);
    this.name = "AppError";
  }
  get status(): number {
    return statusOf[this.code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
