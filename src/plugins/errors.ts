// Owns what a user sees when something fails: the API.md error shape for /api, a real page in their language otherwise.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.ts';
import { isApiRequest } from '../lib/http.ts';
import { i18nFor, localeFromAcceptLanguage, type MessageKey } from '../lib/i18n.ts';

interface Problem {
  status: number;
  code: string;
  message: string;
  titleKey: MessageKey;
  retryAfter?: number;
  /** Offer a link back to the (same-site) page the request came from. */
  back?: boolean;
}

/** The path of the same-site page a request came from, if any: never another site's address. */
function sameSiteReferer(request: FastifyRequest): string | undefined {
  const referer = request.headers.referer;
  if (!referer) return undefined;
  try {
    const from = new URL(referer);
    // Both through URL, so that an explicit default port (host:80) compares equal to none.
    if (!request.headers.host || from.host !== new URL(`${from.protocol}//${request.headers.host}`).host) return undefined;
    return from.pathname + from.search;
  } catch {
    return undefined;
  }
}

function validationField(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return 'body';
  const missing = (first.params as { missingProperty?: string } | undefined)?.missingProperty;
  const fromPath = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const name = [fromPath, missing].filter(Boolean).join('.');
  return name || error.validationContext || 'body';
}

function describe(error: FastifyError | AppError, request: FastifyRequest): Problem {
  const i18n = request.i18n ?? i18nFor('en');
  const { t } = i18n;
  if (error instanceof AppError) {
    const titleKey: MessageKey =
      error.statusCode === 404 ? 'error.notFoundTitle' : error.statusCode === 429 ? 'error.rateLimitedTitle' : error.statusCode === 403 ? 'error.forbiddenTitle' : 'error.title';
    let message = t(error.messageKey, error.params);
    // API.md: a 400 names the field. The catalog may name it only in the visitor's words ("correo"), so add its key.
    if (error.statusCode === 400 && error.field && !message.toLowerCase().includes(error.field.toLowerCase())) message = `${error.field}: ${message}`;
    return { status: error.statusCode, code: error.code, message, titleKey, retryAfter: error.retryAfter };
  }
  if (error.validation) {
    // A page address whose id is not a number (`/questions/abc`) names no page: a 404 page, not a 400.
    if (error.validationContext === 'params' && !isApiRequest(request)) {
      return { status: 404, code: 'not_found', message: t('error.notFound'), titleKey: 'error.notFoundTitle' };
    }
    const field = validationField(error);
    // In the visitor's language only: the validator's own reason ("must be integer") is English.
    return { status: 400, code: 'invalid_input', message: t('ux.invalidValue', { field }), titleKey: 'error.title' };
  }
  if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
    return { status: 403, code: 'csrf_invalid', message: t('error.csrf'), titleKey: 'error.forbiddenTitle' };
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    if (isApiRequest(request)) return { status: 413, code: 'too_large', message: t('error.tooLarge'), titleKey: 'error.title' };
    // A page form: say how much is accepted and how to get back to the typed text (the browser keeps it).
    const limit = `${i18n.number(Math.round((request.routeOptions.bodyLimit ?? 1_048_576) / 1_048_576))} MB`;
    return { status: 413, code: 'too_large', message: t('ux.tooLargeBack', { limit }), titleKey: 'error.title', back: true };
  }
  const status = error.statusCode ?? 500;
  if (status === 429) {
    const retryAfter = Number((error as { retryAfter?: number }).retryAfter) || 60;
    return { status, code: 'rate_limited', message: t('error.rateLimited', { seconds: retryAfter }), titleKey: 'error.rateLimitedTitle', retryAfter };
  }
  if (status >= 400 && status < 500) {
    // Fastify's own client errors: malformed JSON, unsupported media type, bad URL encoding...
    return { status, code: status === 415 ? 'unsupported_media_type' : 'bad_request', message: t('error.badRequest'), titleKey: 'error.title' };
  }
  return { status: 500, code: 'internal_error', message: t('error.server'), titleKey: 'error.title' };
}

export async function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): Promise<FastifyReply> {
  if (problem.retryAfter !== undefined) reply.header('retry-after', String(problem.retryAfter));
  if (isApiRequest(request) || !request.i18n) {
    return reply.status(problem.status).send({ error: { code: problem.code, message: problem.message } });
  }
  const backPath = problem.back ? sameSiteReferer(request) : undefined;
  return reply.page('errors/error', { heading: request.i18n.t(problem.titleKey), message: problem.message, status: problem.status, backPath }, {
    status: problem.status,
    title: request.i18n.t(problem.titleKey),
    noindex: true,
  });
}

/**
 * Fastify's `frameworkErrors`: a URL the router cannot take apart (a bad %-escape, an over-long segment) is
 * refused before any hook runs, so neither the error handler nor helmet sees it. Answer it here, without
 * echoing the URL: the API.md error shape for /api, a bare page otherwise, with the same strict headers.
 */
export function answerUnroutableUrl(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const locale = localeFromAcceptLanguage(request.headers['accept-language']) ?? 'es';
  const { t } = i18nFor(locale);
  reply
    .status(status)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  if (isApiRequest(request)) {
    reply.send({ error: { code: 'bad_request', message: t('error.badRequest') } });
    return;
  }
  reply
    .type('text/html; charset=utf-8')
    .send(`<!doctype html>\n<html lang="${locale}">\n<meta charset="utf-8">\n<title>${t('error.title')}</title>\n<h1>${t('error.title')}</h1>\n<p>${t('error.badRequest')}</p>\n<p><a href="/">${t('error.backHome')}</a></p>\n`);
}

export default fp(
  async function errors(app: FastifyInstance) {
    app.setErrorHandler(async (error: FastifyError | AppError, request, reply) => {
      const problem = describe(error, request);
      if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: problem.code, status: problem.status }, 'request refused');
      try {
        return await sendProblem(request, reply, problem);
      } catch (renderError) {
        // The error page itself failed: answer in plain text rather than leak anything.
        request.log.error({ err: renderError }, 'error page failed');
        return reply.status(problem.status).type('text/plain; charset=utf-8').send(problem.message);
      }
    });

    app.setNotFoundHandler(async (request, reply) => {
      const { t } = request.i18n ?? i18nFor('en');
      return sendProblem(request, reply, { status: 404, code: 'not_found', message: t('error.notFound'), titleKey: 'error.notFoundTitle' });
    });
  },
  { name: 'resuelto-errors', dependencies: ['resuelto-views'] },
);
