// Owns the anonymous visitor cookie: a random first-party id so the deflection report can tell one person
// from many without storing who they are (no IP address is kept). Bots get none.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isbot } from 'isbot';
import { boundedMemo } from '../lib/memo.ts';

export const VISITOR_COOKIE = 'resuelto_vid';
const VISITOR_ID = /^[A-Za-z0-9_-]{22}$/;
const TWO_YEARS_S = 2 * 365 * 86_400;

declare module 'fastify' {
  interface FastifyRequest {
    visitorId: string | null;
    isBot: boolean;
  }
}

/** Stable 0–99 bucket of a visitor, for the suggestions holdout. */
export function visitorBucket(visitorId: string): number {
  return createHash('sha256').update(visitorId).digest().readUInt32BE(0) % 100;
}

// A first visit needs a random id: drawn from a pool of random bytes filled 4 KiB at a time (each byte used once)
// rather than one call into the system's random source per visitor.
let pool = Buffer.alloc(0);
let poolOffset = 0;
function newVisitorId(): string {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + 16);
  poolOffset += 16;
  return id;
}

// isbot runs one large regular expression; user agents repeat, so each is tested once.
const botAgent = boundedMemo(2000, (userAgent: string) => isbot(userAgent));

/** Whether a User-Agent is a bot's (no User-Agent at all counts as one). */
export function isBotAgent(userAgent: string | undefined): boolean {
  return userAgent ? botAgent(userAgent) : true;
}

export default fp(
  async function visitor(app: FastifyInstance, options: { secureCookies: boolean }) {
    app.decorateRequest('visitorId', null);
    app.decorateRequest('isBot', false);
    app.addHook('onRequest', async (request, reply) => {
      const userAgent = request.headers['user-agent'];
      request.isBot = isBotAgent(userAgent);
      if (request.isBot || request.url.startsWith('/static/') || request.url === '/healthz') return;
      const existing = request.cookies[VISITOR_COOKIE];
      if (existing && VISITOR_ID.test(existing)) {
        request.visitorId = existing;
        return;
      }
      request.visitorId = newVisitorId();
      reply.setCookie(VISITOR_COOKIE, request.visitorId, {
        path: '/',
        maxAge: TWO_YEARS_S,
        sameSite: 'lax',
        httpOnly: true,
        secure: options.secureCookies,
      });
    });
  },
  { name: 'resuelto-visitor', dependencies: ['resuelto-auth'] },
);
