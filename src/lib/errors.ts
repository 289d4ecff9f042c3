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
