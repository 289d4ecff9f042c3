// Owns the related questions of thread pages, worked out off the request path: a thread page takes what is known
// for its question (or none) and never waits for the search worker. The list is worked out in the background the
// first time a thread is shown, again when its title or tags change, and at most once a minute as the index and
// the other questions change; a new list calls `onChange` (the page cache drops the thread's kept pages).
import type { Db } from '../../db/client.ts';
import type { SearchClient } from './client.ts';
import { relatedQuestions, type SearchItem } from './service.ts';

/** A related list is worked out again, in the background, once it is older than this. */
const MAX_AGE_MS = 60_000;
/** Questions whose list is kept (the most recently shown); about 2 KiB each. */
const MAX_QUESTIONS = 5_000;
/** Lists worked out at the same time at most; a thread shown while all are busy tries again on a later view. */
const MAX_IN_FLIGHT = 4;

interface Known {
  /** The title and tags the list was worked out for. */
  key: string;
  items: SearchItem[];
  at: number;
}

export class RelatedQuestions {
  private readonly known = new Map<string, Known>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly client: SearchClient,
    private readonly onChange: (questionId: number) => void = () => undefined,
  ) {}

  /**
   * The related questions known now for this question (none yet the first time), questions in `language` (the
   * visitor's) ranked first; starts working them out when due. Kept per question and language, as pages are.
   */
  for(question: { id: number; title: string; tags: string[] }, language?: 'es' | 'en', now = Date.now()): SearchItem[] {
    const key = `${question.title}\u0000${question.tags.join(' ')}`;
    const slot = `${question.id}:${language ?? ''}`;
    const known = this.known.get(slot);
    if (known) {
      // Most recently shown last: the first entries are the ones to forget.
      this.known.delete(slot);
      this.known.set(slot, known);
    }
    if (!known || known.key !== key || now - known.at > MAX_AGE_MS) this.refresh(question, language, slot, key, known);
    return known && known.key === key ? known.items : [];
  }

  /** Waits for every list being worked out (tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private refresh(question: { id: number; title: string; tags: string[] }, language: 'es' | 'en' | undefined, slot: string, key: string, previous: Known | undefined): void {
    if (this.inFlight.has(slot) || this.inFlight.size >= MAX_IN_FLIGHT) return;
    this.inFlight.add(slot);
    relatedQuestions(this.db, this.client, question, 5, language)
      .then((items) => {
        this.known.delete(slot);
        // None found (the index may still be loading): tried again within seconds rather than a minute.
        this.known.set(slot, { key, items, at: items.length ? Date.now() : Date.now() - MAX_AGE_MS + 5_000 });
        if (this.known.size > MAX_QUESTIONS) this.known.delete(this.known.keys().next().value!);
        if (!previous || previous.key !== key || summary(previous.items) !== summary(items)) this.onChange(question.id);
      })
      .catch(() => undefined) // the index is unavailable: the page goes without, as before
      .finally(() => this.inFlight.delete(slot));
  }
}

/** What a thread page shows of its related questions. */
function summary(items: SearchItem[]): string {
  return items.map((item) => `${item.url}\u0000${item.title}\u0000${item.hasAcceptedAnswer}`).join('\u0001');
}
