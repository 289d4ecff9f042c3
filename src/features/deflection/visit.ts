// Owns turning a request into a recordable visit, for the routes that log deflection events.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeflectionKind } from '../../db/schema.ts';
import { visitorBucket } from '../../plugins/visitor.ts';
import { learnFromSolved } from '../search/phrasings.ts';
import type { EventFields, Visit } from './service.ts';

export function visitOf(request: FastifyRequest): Visit {
  return { visitorId: request.visitorId, userId: request.user?.id ?? null, role: request.user?.role ?? null, isBot: request.isBot, ip: request.ip };
}

/** Logs a server-side event for this request, written a moment later with others (events.ts); never fails the page. */
/** One prepared look-up per database: the original a question was closed as a duplicate of, if any. */
const originals = new WeakMap<object, (questionId: number) => number>();
function originalOf(app: FastifyInstance, questionId: number): number {
  let lookup = originals.get(app.db);
  if (!lookup) {
    const statement = app.db.$client.prepare('select duplicate_of_id as original from questions where id = ?');
    lookup = (id: number) => (statement.get(id) as { original: number | null } | undefined)?.original ?? id;
    originals.set(app.db, lookup);
  }
  return lookup(questionId);
}

export function logEvent(app: FastifyInstance, request: FastifyRequest, kind: DeflectionKind, fields: EventFields = {}): void {
  try {
    // A duplicate's events count towards its original's thread: a visitor helped by a duplicate was helped by
    // the original's answers (the banner leads there), and the report's threads and learned searches follow.
    if (fields.questionId) fields = { ...fields, questionId: originalOf(app, fields.questionId) };
    const recorded = app.deflectionEvents.add(visitOf(request), app.settings(), kind, fields);
    // A confirmed deflection teaches search the words that led to it (recorded visitors only: never bots or
    // staff). It reads this visitor's search and click events, so the buffered ones are written first (a
    // "solved" is rare: one small transaction).
    if (recorded && kind === 'solved' && fields.questionId) {
      app.deflectionEvents.flush();
      learnFromSolved(app.db, request.visitorId!, fields.questionId);
    }
  } catch (error) {
    request.log.error({ err: error, kind }, 'deflection event not recorded');
  }
}

/** Whether this visitor is in the holdout that sees no similar-question suggestions (stable per visitor). */
export function inSuggestionHoldout(app: FastifyInstance, request: FastifyRequest): boolean {
  const percent = app.settings().holdoutPercent;
  return percent > 0 && request.visitorId !== null && visitorBucket(request.visitorId) < percent;
}
