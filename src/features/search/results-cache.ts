// Owns reusing search answers: the same query (page, filters) asked again while the content has not changed gets
// the answer already made, without the search worker or the database. An answer is kept only when the index had
// applied every change the database holds (the worker says which it had applied), so a new post is never hidden
// by a kept answer; any write makes every kept answer stale. Popular queries and the ask form's suggestions
// (the same few words typed by many) are asked again and again. Under overload an out-of-date answer of the last
// 2 s stands in for one the worker is slow to give (STALE_AFTER_MS).
import type { Db } from '../../db/client.ts';
import { overloaded } from '../../lib/loop-lag.ts';
import { contentVersion } from '../questions/content-version.ts';

const MAX_ENTRIES = 300;
/** Kept answers also go after this long (staff-edited synonyms change answers without a content change). */
const MAX_AGE_MS = 60_000;

interface Kept<T> {
  value: T;
  version: number;
  at: number;
  /** Made by an index that had applied every change up to `version` (else kept only as a fallback, see answer). */
  current: boolean;
}

/**
 * When a kept answer is out of date (a write came since) and the worker has not answered after this long, the
 * out-of-date answer is given (not current: no page keeps it) while the worker's answer still comes in and is kept
 * for the next visitor. The worker answers in a millisecond or two when it is not overloaded, so this happens only
 * under overload (a stream of writes on a starved machine): a search then shows the results of a moment ago
 * instead of waiting seconds or failing. 100 ms is fifty times the worker's usual answer; at 300 ms the search page was
 * the whole tail of the mixed load (p99 1.2 s against 0.6 s for every other page).
 */
export const STALE_AFTER_MS = 100;
/**
 * An out-of-date answer older than this is never given: the visitor waits for the worker. Search promises a write
 * is found within 2 s; an answer made at most 2 s ago keeps that promise for every write older than that.
 */
const STALE_MAX_MS = 2_000;

export class ResultsCache<T> {
  /** Per database (tests run several forums in one process). */
  private readonly byDb = new WeakMap<Db, Map<string, Kept<T>>>();

  /** The kept answer for `key`, or `compute`'s (kept when it reflects the whole content: `applied` ≥ the version). */
  async get(db: Db, key: string, compute: () => Promise<{ value: T; applied: number | undefined }>, now = Date.now()): Promise<T> {
    return (await this.answer(db, key, compute, now)).value;
  }

  /**
   * The same, saying whether the answer reflects the whole content as of now (`current`: kept, or just made by an
   * index that had applied every change). A page built from a current answer may be kept by the page cache, which
   * follows the same content version; one built from an index still catching up must not be.
   */
  async answer(db: Db, key: string, compute: () => Promise<{ value: T; applied: number | undefined }>, now = Date.now()): Promise<{ value: T; current: boolean }> {
    const version = contentVersion(db, now);
    let entries = this.byDb.get(db);
    if (!entries) this.byDb.set(db, (entries = new Map()));
    const kept = entries.get(key);
    if (kept && kept.current && kept.version === version && now - kept.at <= MAX_AGE_MS) return { value: kept.value, current: true };
    const usable = kept !== undefined && now - kept.at <= STALE_MAX_MS;
    // Someone is already waiting for the worker's new answer to this question: the others get the answer of a moment
    // ago at once (not current: no page keeps it) instead of also waiting. Only under concurrent traffic on a changing
    // forum; a lone visitor (and every test that writes, syncs and searches) always gets the worker's answer.
    if (usable && this.inFlight.get(db)?.has(key)) return { value: kept.value, current: false };
    const answer = this.fresh(db, entries, key, version, compute, now);
    // The main thread itself overloaded (many requests in flight, the event loop late by more than 50 ms on average): each wait for the worker's
    // message costs a whole turn of a crowded event loop, so the answer of a moment ago goes out at once and the new
    // one is kept for the next visitor. Never on a quiet process (tests included): there the worker's answer is awaited.
    if (usable && overloaded()) {
      answer.catch(() => undefined);
      return { value: kept.value, current: false };
    }
    if (!usable) return answer;
    // Overloaded: the answer of a moment ago rather than a wait of seconds or a 503 (see STALE_AFTER_MS).
    const fallback = { value: kept.value, current: false };
    answer.catch(() => undefined); // given up on below: its failure is logged by the client
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<{ value: T; current: boolean }>((resolve) => {
      timer = setTimeout(() => resolve(fallback), STALE_AFTER_MS);
      timer.unref();
    });
    try {
      return await Promise.race([answer.catch(() => fallback), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A new answer from the worker (shared with the same question asked meanwhile), kept as it comes. */
  private fresh(
    db: Db,
    entries: Map<string, Kept<T>>,
    key: string,
    version: number,
    compute: () => Promise<{ value: T; applied: number | undefined }>,
    now: number,
  ): Promise<{ value: T; current: boolean }> {
    // The same question asked again while its answer is being made, at the same content version, waits for that
    // answer rather than asking the worker again: under a stream of writes nothing stays kept for long, and the
    // popular queries arrive together.
    let flights = this.inFlight.get(db);
    if (!flights) this.inFlight.set(db, (flights = new Map()));
    const flying = flights.get(key);
    if (flying?.answer && flying.version === version) return flying.answer;
    const flight: { version: number; answer?: Promise<{ value: T; current: boolean }> } = { version };
    const answer = (async () => {
      try {
        const { value, applied } = await compute();
        const current = applied !== undefined && applied >= version;
        // A newer answer of this key may have come in meanwhile: keep the newest.
        const previous = entries.get(key);
        if (!previous || previous.at <= now || current) {
          entries.delete(key);
          if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
          entries.set(key, { value, version, at: now, current });
        }
        return { value, current };
      } finally {
        if (flights.get(key) === flight) flights.delete(key);
      }
    })();
    flight.answer = answer;
    flights.set(key, flight);
    return answer;
  }

  /** Answers being made, by key (see answer). */
  private readonly inFlight = new WeakMap<Db, Map<string, { version: number; answer?: Promise<{ value: T; current: boolean }> }>>();
}
