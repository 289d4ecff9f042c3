// Owns the errors a user can cause: each carries an HTTP status, a stable API code and a catalog message key.
import type { MessageKey } from './i18n.ts';

export class AppError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly messageKey: MessageKey;
  readonly params: Record<string, string | number>;
  /** The input field at fault, for 400s; forms show the message next to it. */
  readonly field?: string;
  /** Seconds to wait, for 429s (sent as Retry-After). */
  readonly retryAfter?: number;

  constructor(
    statusCode: number,
    code: string,
    messageKey: MessageKey,
    options: { params?: Record<string, string | number>; field?: string; retryAfter?: number } = {},
  ) {
    super(`${code}: ${messageKey}`);
    this.name = 'AppError';
    this.statusCode = statusCode;
    this.code = code;
    this.messageKey = messageKey;
    this.params = options.params ?? {};
    this.field = options.field;
    this.retryAfter = options.retryAfter;
  }
}

export const invalid = (field: string, messageKey: MessageKey, params: Record<string, string | number> = {}) =>
  new AppError(400, 'invalid_input', messageKey, { field, params: { field, ...params } });
export const notSignedIn = () => new AppError(401, 'not_signed_in', 'error.notSignedIn');
export const forbidden = () => new AppError(403, 'forbidden', 'error.forbidden');
export const notFound = () => new AppError(404, 'not_found', 'error.notFound');
export const conflict = (code: string, messageKey: MessageKey, field?: string) =>
  new AppError(409, code, messageKey, { field, params: field ? { field } : {} });
export const tooManyRequests = (retryAfter: number) =>
  new AppError(429, 'rate_limited', 'error.rateLimited', { retryAfter, params: { seconds: retryAfter } });

/**
 * Several fields wrong at once (a form reports them all in one round trip). It is the first problem as far
 * as the API is concerned (status, code, message, field), and carries every one for the form.
 */
export class FieldErrors extends AppError {
  readonly problems: readonly AppError[];

  constructor(problems: readonly AppError[]) {
    // A malformed field (400) speaks for the request before a taken name (409), as it did one at a time.
    const first = problems.find((problem) => problem.statusCode === 400) ?? problems[0];
    super(first.statusCode, first.code, first.messageKey, { field: first.field, params: first.params, retryAfter: first.retryAfter });
    this.name = 'FieldErrors';
    this.problems = problems;
  }
}

/**
 * Runs one check per field and returns their results; a field check that throws a field-level AppError
 * (400 or 409 naming a field) is collected, so that every wrong field is reported together. Other errors
 * propagate at once. New rules for a field go in that field's check.
 */
export function checkFields<T extends Record<string, () => unknown>>(checks: T): { [K in keyof T]: ReturnType<T[K]> } {
  const results: Record<string, unknown> = {};
  const problems: AppError[] = [];
  for (const [name, check] of Object.entries(checks)) {
    try {
      results[name] = check();
    } catch (error) {
      if (error instanceof FieldErrors) problems.push(...error.problems);
      else if (error instanceof AppError && error.field && (error.statusCode === 400 || error.statusCode === 409)) problems.push(error);
      else throw error;
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new FieldErrors(problems);
  return results as { [K in keyof T]: ReturnType<T[K]> };
}
