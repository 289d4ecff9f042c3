// Owns turning a request into a recordable visit, for the routes that log deflection events.
import type Database from 'better-sqlite3';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { contentVersion } from '../questions/content-version.ts';
import type { DeflectionKind } from '../../db/schema.ts';
import { visitorBucket } from '../../plugins/visitor.ts';
import { learnFromSolved } from '../search/phrasings.ts';
import type { EventFields, Visit } from './service.ts';

export function visitOf(request: FastifyRequest): Visit {
  return { visitorId: request.visitorId, userId: request.user?.id ?? null, role: request.user?.role ?? null, isBot: request.isBot, ip: request.ip };
}

/** Logs a server-side event for this request, written a moment later with others (events.ts); never fails the page. */
/**
 * The original a question was closed as a duplicate of, if any: one prepared look-up per database, remembered until
 * the content version moves (closing as a duplicate, or reopening, is logged as a change like every write).
 */
const originals = new WeakMap<object, { statement: Database.Statement; version: number; known: Map<number, number> }>();
function originalOf(app: FastifyInstance, questionId: number): number {
  let state = originals.get(app.db);
  if (!state) {
    state = { statement: app.db.$client.prepare('select duplicate_of_id as original from questions where id = ?'), version: -1, known: new Map() };
    originals.set(app.db, state);
  }
  const version = contentVersion(app.db);
  if (version !== state.version || state.known.size > 10_000) {
    state.version = version;
    state.known.clear();
  }
  let original = state.known.get(questionId);
  if (original === undefined) {
    original = (state.statement.get(questionId) as { original: number | null } | undefined)?.original ?? questionId;
    state.known.set(questionId, original);
  }
  return original;
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
