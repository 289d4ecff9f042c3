// Owns reusing search answers: the same query (page, filters) asked again while the content has not changed gets
// the answer already made, without the search worker or the database. An answer is kept only when the index had
// applied every change the database holds (the worker says which it had applied), so a new post is never hidden
// by a kept answer; any write makes every kept answer stale. Popular queries and the ask form's suggestions
// (the same few words typed by many) are asked again and again.
import type { Db } from '../../db/client.ts';
import { contentVersion } from '../questions/content-version.ts';

const MAX_ENTRIES = 300;
/** Kept answers also go after this long (staff-edited synonyms change answers without a content change). */
const MAX_AGE_MS = 60_000;

interface Kept<T> {
  value: T;
  version: number;
  at: number;
}

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
    if (kept && kept.version === version && now - kept.at <= MAX_AGE_MS) return { value: kept.value, current: true };
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
        if (applied !== undefined && applied >= version) {
          entries.delete(key);
          if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
          entries.set(key, { value, version, at: now });
          return { value, current: true };
        }
        return { value, current: false };
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
