// Owns turning a request into a recordable visit, for the routes that log deflection events.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeflectionKind } from '../../db/schema.ts';
import { visitorBucket } from '../../plugins/visitor.ts';
import { learnFromSolved } from '../search/phrasings.ts';
import { recordEvent, type EventFields, type Visit } from './service.ts';

export function visitOf(request: FastifyRequest): Visit {
  return { visitorId: request.visitorId, userId: request.user?.id ?? null, role: request.user?.role ?? null, isBot: request.isBot, ip: request.ip };
}

/** Logs a server-side event for this request; a failure to log never fails the page. */
export function logEvent(app: FastifyInstance, request: FastifyRequest, kind: DeflectionKind, fields: EventFields = {}): void {
  try {
    const recorded = recordEvent(app.db, visitOf(request), app.settings(), kind, fields);
    // A confirmed deflection teaches search the words that led to it (recorded visitors only: never bots or staff).
    if (recorded && kind === 'solved' && fields.questionId) learnFromSolved(app.db, request.visitorId!, fields.questionId);
  } catch (error) {
    request.log.error({ err: error, kind }, 'deflection event not recorded');
  }
}

/** Whether this visitor is in the holdout that sees no similar-question suggestions (stable per visitor). */
export function inSuggestionHoldout(app: FastifyInstance, request: FastifyRequest): boolean {
  const percent = app.settings().holdoutPercent;
  return percent > 0 && request.visitorId !== null && visitorBucket(request.visitorId) < percent;
}
