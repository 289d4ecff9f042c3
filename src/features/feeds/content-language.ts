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
import { contentVersion } from '../questions/content-version.ts';

/** Thread pages and their feeds: /questions/12, /questions/12/slug, /feeds/questions/12. */
const THREAD_URL = /^\/(?:questions|feeds\/questions)\/(\d{1,10})(?:[/?#]|$)/;

/** Languages remembered between content changes; a crawler walking the whole forum does not grow it past this. */
const MAX_REMEMBERED = 20_000;

export function threadContentLocale(db: Db): ContentLocale {
  let statement: Database.Statement | undefined;
  // Asked on every thread request that names no language (crawlers, load generators): remembered per question
  // until the content version changes, the signal that also drops kept pages (an edit may change a language).
  const remembered = new Map<number, Locale | null>();
  let version = -1;
  return (request: FastifyRequest) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const match = THREAD_URL.exec(request.url);
    if (!match) return undefined;
    const id = Number(match[1]);
    const now = contentVersion(db);
    if (now !== version) {
      remembered.clear();
      version = now;
    }
    let locale = remembered.get(id);
    if (locale === undefined) {
      statement ??= db.$client.prepare('select language from questions where id = ? and deleted_at is null').pluck();
      locale = (statement.get(id) as Locale | undefined) ?? null;
      if (remembered.size >= MAX_REMEMBERED) remembered.clear();
      remembered.set(id, locale);
    }
    return locale ?? undefined;
  };
}
