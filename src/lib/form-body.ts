// Owns reading application/x-www-form-urlencoded bodies: strictly, so that a malformed %-escape is a 400, not stored text.
import { AppError } from './errors.ts';

const malformedBody = () => new AppError(400, 'bad_request', 'error.badRequest');

function decodeComponent(text: string): string {
  try {
    // decodeURIComponent refuses a '%' not followed by two hex digits, and escapes that are not UTF-8.
    return decodeURIComponent(text.includes('+') ? text.replace(/\+/g, ' ') : text);
  } catch {
    throw malformedBody();
  }
}

/**
 * Parses a form body as browsers write it (WHATWG urlencoded: '+' is a space, %XX are UTF-8 bytes). A field
 * sent twice becomes an array, as before (the route schemas refuse it). Unlike the lenient default parser,
 * which keeps a broken escape such as `%2` or `%zz` as typed, this refuses the whole body with a 400 in the
 * usual error shape, like malformed JSON. The result has no prototype, so `__proto__` is an ordinary name.
 */
export function parseFormBody(body: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeComponent(pair.slice(equals + 1));
    const existing = fields[name];
    if (existing === undefined) fields[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[name] = [existing, value];
  }
  return fields;
}
