// Owns telling the language of a thread's content from its URL, so that a crawler (no Accept-Language) gets
// the thread's chrome in the language of the question instead of the site default.
//
// The signed-out page cache keys kept pages by language and URL (plugins/page-cache.ts) and runs after the
// language hook: a crawler's thread is kept under the question's language, a browser's under the language it
// asked for; both are dropped by the same content-version change that an edit (which may change the
// question's language) makes.
import type { FastifyRequest } from 'fastify';
import type Database from 'better-sqlite3';
import type { Db } from '../../db/client.ts';
import type { Locale } from '../../lib/i18n.ts';
import type { ContentLocale } from '../../plugins/i18n.ts';

/** Thread pages and their feeds: /questions/12, /questions/12/slug, /feeds/questions/12. */
const THREAD_URL = /^\/(?:questions|feeds\/questions)\/(\d{1,10})(?:[/?#]|$)/;

export function threadContentLocale(db: Db): ContentLocale {
  let statement: Database.Statement | undefined;
  return (request: FastifyRequest) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const match = THREAD_URL.exec(request.url);
    if (!match) return undefined;
    statement ??= db.$client.prepare('select language from questions where id = ? and deleted_at is null').pluck();
    return (statement.get(Number(match[1])) as Locale | undefined) ?? undefined;
  };
}
