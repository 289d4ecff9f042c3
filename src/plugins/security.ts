// Owns security headers: helmet with a strict Content-Security-Policy (no inline script or style anywhere).
//
// Helmet decides the headers once, at start: none of them depends on the request (no nonces: the CSP allows no
// inline script or style at all), so they are read off helmet's middleware run on a stand-in response and set on
// every reply from then on. (@fastify/helmet, used before, built helmet's middleware again on every request: 7 %
// of a signed-in member's thread page.) Routes that need a stricter policy (mail previews, avatars, bare error
// pages) set their own Content-Security-Policy after this, as before.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

export function helmetOptions(secureCookies: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Member posts may embed images, but only over https (the markdown sanitizer enforces it too).
        imgSrc: ["'self'", 'https:', 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        ...(secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: secureCookies ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' },
  };
}

/** The headers helmet sets with these options, in the order it sets them. */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = String(value);
      return response;
    },
    removeHeader(name: string) {
      delete headers[name];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

export default fp(
  async function security(app: FastifyInstance, options: { secureCookies: boolean }) {
    const headers = helmetHeaders(helmetOptions(options.secureCookies));
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: 'resuelto-security' },
);
