// Owns small facts about requests shared by plugins and routes.
import type { FastifyRequest } from 'fastify';

/** API routes answer JSON; every other route answers HTML pages. */
export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/** A same-site path to return to after a form, or the fallback: never an absolute or protocol-relative URL. */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\u0000-\u001f\\]/.test(value)) return fallback;
  // It becomes a Location header, which must be ASCII: percent-encode the rest (a lone surrogate cannot be).
  try {
    return value.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run));
  } catch {
    return fallback;
  }
}
