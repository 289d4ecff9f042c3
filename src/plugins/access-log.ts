// Owns the access log: one short line per request at info ("GET /questions 200 1.3ms", about 90 bytes with
// pino's level and time), instead of fastify's two lines of request and response objects (~400 bytes each).
// LOG_LEVEL=warn turns the per-request lines off; requests slower than SLOW_REQUEST_MS are logged at warn and
// server errors at error (by the error handler) whatever the level lets through below that.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const VERBOSE = new Set(['info', 'debug', 'trace']);

/** The URL as it may be logged: the one-time setup token replaced. */
/** A URL as logs may show it: one-time setup, reset and confirmation links, unsubscribe signatures and staff feed tokens redacted. */
export function loggableUrl(url: string): string {
  return url
    .replace(/^\/(setup|reset|verify)\/[^/?#]+/, '/$1/[redacted]')
    .replace(/^\/unsubscribe\/([^/?#]+)\/([^/?#]+)\/[^/?#]+/, '/unsubscribe/$1/$2/[redacted]')
    .replace(/^\/staff\/feed\/[^/?#]+/, '/staff/feed/[redacted]');
}

export default fp(
  async function accessLog(app: FastifyInstance, options: { slowRequestMs: number }) {
    app.addHook('onResponse', (request, reply, done) => {
      const ms = reply.elapsedTime;
      if (ms >= options.slowRequestMs) {
        app.log.warn(`slow request: ${request.method} ${loggableUrl(request.url)} ${reply.statusCode} ${ms.toFixed(0)}ms`);
      } else if (VERBOSE.has(app.log.level)) {
        app.log.info(`${request.method} ${loggableUrl(request.url)} ${reply.statusCode} ${ms.toFixed(1)}ms`);
      }
      done();
    });
  },
  { name: 'resuelto-access-log' },
);
