// Owns who is asking: resolves the session cookie or bearer token to a user on every request.
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { randomBytes } from 'node:crypto';
import { createSession, findSessionUser, revokeSession, type SessionUser } from '../features/accounts/sessions.ts';
import type { SignInClient } from '../features/accounts/throttle.ts';
import { atLeast, type Role } from '../features/accounts/roles.ts';
import { AppError, forbidden, notSignedIn } from '../lib/errors.ts';
import { rotateCsrfSecret } from './csrf.ts';

export interface AuthOptions {
  cookieSecret: string;
  secureCookies: boolean;
}

/** `__Host-` binds the cookie to this exact origin over https; plain http cannot use the prefix. */
export const sessionCookieName = (secure: boolean) => (secure ? '__Host-resuelto_session' : 'resuelto_session');

/**
 * The device cookie: set on every successful sign-in, kept across sign-outs, signed with the cookie secret.
 * It names the account that signed in from this browser and a random id, and spares that browser the
 * per-account sign-in throttle that strangers' failures fill (features/accounts/throttle.ts).
 */
export const deviceCookieName = (secure: boolean) => (secure ? '__Host-resuelto_device' : 'resuelto_device');
const DEVICE_COOKIE_DAYS = 365;
const DEVICE_VALUE = /^(\d{1,15})\.([A-Za-z0-9_-]{22})$/;

function readDevice(app: FastifyInstance, request: FastifyRequest): { userId: number; id: string } | null {
  const raw = request.cookies[deviceCookieName(app.config.secureCookies)];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  const match = unsigned.valid && unsigned.value ? DEVICE_VALUE.exec(unsigned.value) : null;
  return match ? { userId: Number(match[1]), id: match[2] } : null;
}

/** Who is signing in, for the failed sign-in throttle: the client address and the browser's device cookie. */
export function signInClient(app: FastifyInstance, request: FastifyRequest): SignInClient {
  return { ip: request.ip, device: readDevice(app, request) };
}

function rememberDevice(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, userId: number): void {
  const known = readDevice(app, request);
  const id = known?.userId === userId ? known.id : randomBytes(16).toString('base64url');
  reply.setCookie(deviceCookieName(app.config.secureCookies), `${userId}.${id}`, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: app.config.secureCookies,
    signed: true,
    maxAge: DEVICE_COOKIE_DAYS * 86_400,
  });
}

export default fp(
  async function auth(app: FastifyInstance, options: AuthOptions) {
    await app.register(cookie, { secret: options.cookieSecret });
    const cookieName = sessionCookieName(options.secureCookies);

    app.decorateRequest('user', null);
    app.decorateRequest('authKind', null);
    app.decorateRequest('sessionToken', null);

    // Resolves only; a bad token is refused by rejectInvalidTokens, registered after the security headers so
    // that the 401 carries them too.
    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      if (header !== undefined) {
        const match = /^Bearer\s+(\S+)$/i.exec(header);
        const user = match ? findSessionUser(app.db, match[1], 'api', app.settings()) : undefined;
        request.authKind = 'bearer';
        if (!user) return;
        request.user = user;
        request.sessionToken = match![1];
        return;
      }
      const token = request.cookies[cookieName];
      if (token) {
        const user = findSessionUser(app.db, token, 'cookie', app.settings());
        if (user) {
          request.user = user;
          request.authKind = 'cookie';
          request.sessionToken = token;
        }
      }
    });
  },
  { name: 'resuelto-auth' },
);

/** Refuses a request whose Authorization header names no live token (401, whatever the route). */
export async function rejectInvalidTokens(request: FastifyRequest): Promise<void> {
  if (request.authKind === 'bearer' && !request.user) throw new AppError(401, 'invalid_token', 'error.notSignedIn');
}

/**
 * Starts a browser session. Any session the browser already had is revoked first, so a session id
 * fixed by an attacker before sign-in is worthless afterwards (rotation on every sign-in); the CSRF
 * secret is replaced too, so a token minted while signed out does not carry over.
 */
export function startBrowserSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, user: { id: number }): void {
  const cookieName = sessionCookieName(app.config.secureCookies);
  const previous = request.cookies[cookieName];
  if (previous) revokeSession(app.db, previous);
  const { token, expiresAt } = createSession(app.db, user.id, 'cookie', app.settings(), request.headers['user-agent']);
  reply.setCookie(cookieName, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: app.config.secureCookies,
    expires: expiresAt,
  });
  rotateCsrfSecret(request, reply, app.config.secureCookies);
  rememberDevice(app, request, reply, user.id);
}

export function endBrowserSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): void {
  const cookieName = sessionCookieName(app.config.secureCookies);
  const token = request.cookies[cookieName];
  if (token) revokeSession(app.db, token);
  reply.clearCookie(cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: app.config.secureCookies });
  rotateCsrfSecret(request, reply, app.config.secureCookies);
}

/** The signed-in user, or a 401. */
export function requireUser(request: FastifyRequest): SessionUser {
  if (!request.user) throw notSignedIn();
  return request.user;
}

/** The signed-in user with at least `minimum` role: 401 when signed out, 403 when below it. */
export function requireRole(request: FastifyRequest, minimum: Role): SessionUser {
  const user = requireUser(request);
  if (!atLeast(user.role, minimum)) throw forbidden();
  return user;
}
