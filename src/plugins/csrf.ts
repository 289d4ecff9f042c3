// Owns CSRF protection: every state-changing request that rides on a browser cookie must carry the token.
import csrfProtection from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isApiRequest } from '../lib/http.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Which writes need a token: every HTML form (sign-up and sign-in included, against login CSRF), and
 * every API write that a browser cookie authenticates. Bearer-token API calls carry no ambient
 * authority, and neither does an API call with no session at all (a cross-site page cannot send
 * JSON without a CORS preflight, which this server never grants).
 */
export function needsCsrfToken(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  // A signed link (one-click unsubscribe, RFC 8058) carries its own authority and is posted by mail clients.
  if ((request.routeOptions.config as { signedLink?: boolean } | undefined)?.signedLink) return false;
  if (request.authKind === 'bearer') return false;
  if (isApiRequest(request)) return request.authKind === 'cookie';
  return true;
}

/** The cookie holding the visitor's CSRF secret (`__Host-` over https binds it to this origin). */
export const csrfCookieName = (secure: boolean) => (secure ? '__Host-resuelto_csrf' : 'resuelto_csrf');

/**
 * Gives the browser a new CSRF secret, so that no token minted before this moment (while signed out, or
 * for the previous account) is accepted afterwards. Called wherever a browser session starts or ends.
 */
export function rotateCsrfSecret(request: FastifyRequest, reply: FastifyReply, secure: boolean): void {
  // generateCsrf() mints and sets a new secret when the request carries none.
  delete request.cookies[csrfCookieName(secure)];
  reply.generateCsrf();
}

/** How many visitors' tokens are kept (about 150 bytes each); the oldest go first. */
const KEPT_TOKENS = 20_000;

declare module 'fastify' {
  interface FastifyInstance {
    /** Visitors' kept CSRF tokens by their signed secret cookie (spliceableCsrfToken). */
    keptCsrfTokens: Map<string, string>;
  }
}

/**
 * The CSRF token for a page whose token never goes through a compressor alongside other content: spliced into a
 * kept page as a stored (uncompressed) deflate block, or sent uncompressed. One token per visitor's secret is then
 * as safe as one per response: a fresh salt on each response only defends tokens against compression-length
 * attacks (BREACH), which need the token compressed together with text an attacker can vary. Verifying the signed
 * secret and hashing a token cost more than the rest of a kept page's answer, so a returning visitor's token is
 * kept, by the exact signed cookie value that was verified to make it. A first visit (no secret yet) mints one.
 */
export function spliceableCsrfToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const signed = request.cookies[csrfCookieName(secure)];
  if (signed === undefined) return reply.generateCsrf();
  const keptTokens = reply.server.keptCsrfTokens;
  let token = keptTokens.get(signed);
  if (token !== undefined) return token;
  // Kept only for a valid secret: with a forged or stale cookie, generateCsrf mints a new secret (and sets it).
  const secret = reply.unsignCookie(signed);
  token = reply.generateCsrf();
  if (!secret.valid || !secret.value) return token;
  if (keptTokens.size >= KEPT_TOKENS) keptTokens.delete(keptTokens.keys().next().value!);
  keptTokens.set(signed, token);
  return token;
}

export default fp(
  async function csrf(app: FastifyInstance, options: { secureCookies: boolean }) {
    app.decorate('keptCsrfTokens', new Map<string, string>());
    await app.register(csrfProtection, {
      cookieKey: csrfCookieName(options.secureCookies),
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: options.secureCookies, signed: true },
    });
    // preValidation: the form body is parsed by then, so `_csrf` fields are readable.
    app.addHook('preValidation', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
      if (!needsCsrfToken(request)) return done();
      app.csrfProtection(request, reply, done);
    });
  },
  { name: 'resuelto-csrf', dependencies: ['resuelto-auth'] },
);
