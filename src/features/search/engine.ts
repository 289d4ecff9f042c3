// Owns answering a query over the pieces of the index: planning terms from the user's words, keeping the
// candidate set small, and ranking with statistics of the whole corpus. Pure: no I/O, no threads.
import { FIELD_WEIGHTS, FIELDS, type DocMeta, type Field, type IndexedDoc } from './documents.ts';
import { Shard, type TermFields } from './shard.ts';
import { doubledLetterSpellings, isStopWord, stem, stemOnce, tokenize, words, type SearchLanguage } from './text.ts';

export interface SearchOptions {
  query: string;
  /** Treat the last word as a prefix (search-as-you-type). */
  prefix?: boolean;
  tag?: string;
  answered?: boolean;
  excludeId?: number;
  /** How many ranked hits to return at most. */
  limit?: number;
  /**
   * The share of the query's weight a hit must match (0–1). Words the index has never seen count at full
   * weight, so "xyzzy impresora láser" does not come back as a loose match on "impresora" alone.
   */
  minShare?: number;
  /** Only questions written in this language (the search page's language filter). */
  language?: SearchLanguage;
  /** The visitor's language: its questions rank higher (PREFERRED_LANGUAGE_BOOST), the others stay. */
  preferLanguage?: SearchLanguage;
}

/** How much a question in the visitor's language is preferred, all else equal. */
export const PREFERRED_LANGUAGE_BOOST = 1.5;

export interface Hit {
  id: number;
  score: number;
  /** Index terms that matched, for highlighting. */
  terms: string[];
}

export interface SearchResult {
  hits: Hit[];
  total: number;
  /** No hit matches most of what was asked (a strong hit matches at least STRONG_SHARE of the query's weight). */
  weak?: boolean;
  /** Set by the search worker: the last change-log id the index had applied when it answered. */
  appliedChangeId?: number;
  /** Set by the search worker: the synonyms setting the index applied. */
  synonyms?: string;
}

/** A hit matching less than this share of the query's weight is a partial match: the page says so and offers to ask. */
export const STRONG_SHARE = 0.6;

/** A document to rank: its shard and its local number there. */
interface Candidate {
  shard: Shard;
  local: number;
}

interface Group {
  token: string;
  /** term → weight (1 exact, less for synonyms, prefixes and typo corrections). */
  variants: Map<string, number>;
  /** The terms each language's stemmer makes of the word and its synonyms. */
  stems: Record<SearchLanguage, Set<string>>;
  df: number;
}

const LANGUAGES: readonly SearchLanguage[] = ['es', 'en'];
// A word in at most this share of documents may be a typo of a word a letter (un)doubled away that is this
// many times commoner.
const RARE_WORD_SHARE = 0.01;
const COMMONER_SPELLING = 5;
// A document is stemmed in its own language, so only that language's stem of a query word is the same
// word; the other stem meeting it is mostly a coincidence (wine → "win" in Spanish), sometimes a cognate
// (plástico → "plastic"): it counts this much.
const OTHER_LANGUAGE_STEM = 0.4;

const MAX_QUERY_TOKENS = 24;
const PREFIX_EXPANSIONS = 12;
// A term in more than this share of documents is left out of retrieval when rarer terms exist; it still
// counts in ranking, checked on the candidates only.
const COMMON_SHARE = 0.2;
// Retrieval stops adding terms once their postings add up to this; more are added only when too few
// documents came back.
const POSTINGS_BUDGET = 2_500;
const ENOUGH_CANDIDATES = 50;

// Ranking is BM25 per field, the fields' scores added up with their weights (FIELD_WEIGHTS), as lunr and
// Lucene score several fields: a word found in the title, the accepted answer and the body counts more
// than one found in the title alone, a word a post keeps coming back to more than one it mentions once
// (term frequency, saturated by k1), and a match in a short field more than one in a long field. k1 and
// b are BM25's usual values; idf and average field lengths are those of the whole index. (Field lengths
// are distinct terms; counted in words instead, measured on real duplicates: no better.)
//
// The replies (the accepted answer and the other answers) are one field for saturation, as BM25F combines
// fields: a word's length-normalized frequencies there are added with their weights and saturated once, so a
// word that every reply keeps repeating counts at most as much as one field can (k1 + 1 times the accepted
// answer's weight), not once per kind of reply on top of the title and body. A word in only one kind of
// reply scores as before. Measured: hand-written set MRR@10 0.938 → 0.951 (four queries up, none down);
// duplicates' tuning half recall@1/5/10 unchanged, MRR@10 0.449 → 0.456 (0.419 → 0.422 without duplicate
// learning). Saturating the body with them, or every field together (BM25F proper), did worse (0.945–0.949, 0.940).
const K1 = 1.2;
const REPLY_FIELDS: readonly boolean[] = FIELDS.map((field) => field === 'accepted' || field === 'answers');
const LENGTH_NORMALIZATION = 0.75;

// Popularity: views per day since asked, on a log scale, compared with the other questions of the same source
// (imported sites counted views on their own scale): a question one standard deviation or more above its
// source's mean gets up to POPULARITY_WEIGHT more; below the mean, nothing is taken away. Capped: a strong prior
// hurts the easy queries it reorders. A question's votes count too (SCORE_WEIGHT × log(1 + score)), beside its
// accepted, official and any answer. Chosen on the tuning half of bench:search-duplicates with its related links
// (595 queries; 45 duplicates alone could not tell the values apart), without duplicate learning, paired against
// the weights before (0.2, 0.05): recall@5 / MRR@10 popularity 0 → −0.025 / −0.021, 0.6 → +0.010 / +0.014,
// 1.0 → +0.010 / +0.012; with votes at 0.15 → +0.022 / +0.017, 0.3 → +0.020 / +0.019. The hand-written set:
// MRR@10 0.951 → 0.955.
const POPULARITY_WEIGHT = 0.6;
const POPULARITY_CAP_SD = 1;
const SCORE_WEIGHT = 0.15;
const DAY_MS = 86_400_000;

/** The k-th largest value (1-based) of an array, which it reorders (quickselect: linear on average). */
function kthLargest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1; // index in decreasing order
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] > pivot) i++;
      while (values[j] < pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i] = values[j];
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target];
  }
  return values[target];
}

/**
 * Work arrays reused by candidate selection: choosing among the postings of common words takes a number per
 * document of every shard (2 × 800 KB at 100,000 questions), and allocating them for every query made the
 * garbage collector a large share of a long query's time. Queries run one at a time (the search worker is one
 * thread), so a few arrays per length are enough; an array is zeroed when it is given back.
 */
class Scratch {
  private readonly free = new Map<number, Float64Array[]>();
  private buffer = new Float64Array(0);

  /** A zeroed array of `length` numbers; give it back when done. */
  take(length: number): Float64Array {
    return this.free.get(length)?.pop() ?? new Float64Array(length);
  }

  give(array: Float64Array): void {
    array.fill(0);
    const list = this.free.get(array.length) ?? [];
    // Shards come in a few sizes; the delta's changes with every write, so only a handful per size are kept.
    if (list.length < 8) list.push(array);
    this.free.set(array.length, list);
    if (this.free.size > 16) this.free.delete(this.free.keys().next().value!);
  }

  /** A view of `length` numbers (contents undefined), valid until the next call. */
  values(length: number): Float64Array {
    if (this.buffer.length < length) this.buffer = new Float64Array(Math.max(length, this.buffer.length * 2));
    return this.buffer.subarray(0, length);
  }
}

export class SearchIndex {
  private shards: Shard[] = [];
  private delta: Shard | null = null;
  private readonly deltaDocs = new Map<number, IndexedDoc>();
  /** Ids whose version in a base shard is stale (edited or deleted since the shard was built). */
  private readonly stale = new Set<number>();
  private readonly metas = new Map<number, DocMeta>();
  private synonyms = new Map<string, string[]>();
  /** Per source: mean and standard deviation of log(1 + views per day), worked out again after changes. */
  private popularity: Map<string, { mean: number; sd: number }> | null = null;
  private popularityAt = 0;
  /** Per-document work arrays of candidate selection, reused from query to query (see Scratch). */
  private readonly scratch = new Scratch();

  get documentCount(): number {
    return this.metas.size;
  }

  get deltaSize(): number {
    return this.deltaDocs.size;
  }

  get shardList(): readonly Shard[] {
    return this.shards;
  }

  /** Replaces the base shards; documents changed after a shard was built stay in the delta. */
  setShards(shards: Shard[]): void {
    this.shards = [...shards].sort((a, b) => a.fromId - b.fromId);
    this.metas.clear();
    for (const shard of this.shards) for (const meta of shard.metas) this.metas.set(meta.id, meta);
    for (const [id, doc] of this.deltaDocs) this.metas.set(id, doc.meta);
    for (const id of this.stale) if (!this.deltaDocs.has(id)) this.metas.delete(id);
    this.popularity = null;
  }

  /** Swaps one shard for a rebuilt one covering the same range, and forgets delta entries it now holds. */
  replaceShard(shard: Shard, settled: (id: number) => boolean): void {
    const others = this.shards.filter((s) => s.fromId !== shard.fromId);
    for (const id of [...this.deltaDocs.keys(), ...this.stale]) {
      if (id >= shard.fromId && id <= shard.toId && settled(id)) {
        this.deltaDocs.delete(id);
        this.stale.delete(id);
      }
    }
    this.setShards([...others, shard]);
    this.rebuildDelta();
  }

  /** Applies changed documents (current versions) and deletions, then rebuilds the small delta index. */
  applyChanges(changed: IndexedDoc[], deletedIds: number[]): void {
    for (const doc of changed) {
      this.deltaDocs.set(doc.meta.id, doc);
      this.stale.add(doc.meta.id);
      this.metas.set(doc.meta.id, doc.meta);
    }
    for (const id of deletedIds) {
      this.deltaDocs.delete(id);
      this.stale.add(id);
      this.metas.delete(id);
    }
    // Statistics of the whole corpus: a few changes do not move them, so they are refreshed at most every minute.
    if (Date.now() - this.popularityAt > 60_000) this.popularity = null;
    this.rebuildDelta();
  }

  private rebuildDelta(): void {
    this.delta = this.deltaDocs.size ? Shard.fromDocs([...this.deltaDocs.values()], 0, 0, 0) : null;
  }

  /** Staff-edited synonym groups, e.g. [["factura", "recibo"], ["wifi", "wlan"]]. */
  setSynonyms(groups: string[][]): void {
    const map = new Map<string, string[]>();
    for (const group of groups) {
      const words = [...new Set(group.flatMap((w) => tokenize(w).join('')).filter(Boolean))];
      for (const word of words) map.set(word, [...new Set([...(map.get(word) ?? []), ...words.filter((w) => w !== word)])]);
    }
    this.synonyms = map;
  }

  private static viewsPerDay(meta: DocMeta, now: number): number {
    return Math.log1p((meta.views ?? 0) / Math.max(1, (now - (meta.createdAt ?? now)) / DAY_MS));
  }

  private popularityStats(now: number): Map<string, { mean: number; sd: number }> {
    if (this.popularity) return this.popularity;
    const sums = new Map<string, { n: number; sum: number; squares: number }>();
    for (const meta of this.metas.values()) {
      const x = SearchIndex.viewsPerDay(meta, now);
      const s = sums.get(meta.source ?? '') ?? { n: 0, sum: 0, squares: 0 };
      s.n += 1;
      s.sum += x;
      s.squares += x * x;
      sums.set(meta.source ?? '', s);
    }
    const stats = new Map<string, { mean: number; sd: number }>();
    for (const [source, s] of sums) {
      const mean = s.sum / s.n;
      stats.set(source, { mean, sd: Math.sqrt(Math.max(0, s.squares / s.n - mean * mean)) });
    }
    this.popularity = stats;
    this.popularityAt = now;
    return stats;
  }

  /** The popularity factor of a question: 1 up to 1 + POPULARITY_WEIGHT (see above). */
  private popularityFactor(meta: DocMeta, now: number): number {
    const stats = this.popularityStats(now).get(meta.source ?? '');
    if (!stats || stats.sd === 0) return 1;
    const z = (SearchIndex.viewsPerDay(meta, now) - stats.mean) / stats.sd;
    return 1 + POPULARITY_WEIGHT * Math.min(POPULARITY_CAP_SD, Math.max(0, z)) / POPULARITY_CAP_SD;
  }

  private pieces(): Shard[] {
    return this.delta ? [...this.shards, this.delta] : this.shards;
  }

  private documentFrequency(term: string): number {
    let df = 0;
    for (const shard of this.pieces()) df += shard.documentFrequency.get(term) ?? 0;
    return df;
  }

  /** Average length of each field over the documents that have it (a missing accepted answer is not a short one). */
  private averageFieldLengths(): Record<Field, number> {
    const sums = FIELDS.map(() => 0);
    const counts = FIELDS.map(() => 0);
    for (const shard of this.pieces()) {
      const totals = shard.fieldLengthTotals();
      FIELDS.forEach((_, f) => {
        sums[f] += totals.sums[f];
        counts[f] += totals.counts[f];
      });
    }
    return Object.fromEntries(FIELDS.map((field, f) => [field, counts[f] ? sums[f] / counts[f] : 1])) as Record<Field, number>;
  }

  private hasTerm(term: string): boolean {
    return this.pieces().some((shard) => shard.documentFrequency.has(term));
  }

  private idf(term: string): number {
    return Math.log(1 + this.documentCount / (1 + this.documentFrequency(term)));
  }

  /** The user's words as groups of index terms. Never throws, whatever the input. */
  plan(query: string, prefix: boolean): Group[] {
    // A joined word the index does not hold ("bikes.stackexchange.com", or "context-free" where every question
    // writes "context free") is searched as its parts, as documents are indexed with them; one the index holds
    // (a product code, "wi-fi") stays whole, so it still matches exactly.
    const all = words(query.slice(0, 2_000), MAX_QUERY_TOKENS).flatMap(({ token, parts }) =>
      parts.length > 0 && !LANGUAGES.some((language) => this.hasTerm(stem(token, language))) ? parts : [token],
    ).slice(0, MAX_QUERY_TOKENS);
    const content = all.filter((token) => !isStopWord(token));
    const tokens = [...new Set(content.length ? content : all)];
    const lastToken = all[all.length - 1];
    // Words written apart that the index holds joined ("wi fi", "e mail" → wifi, email): the joined term is a
    // variant of both words, so a document with either spelling matches both.
    const joined = new Map<string, string[]>();
    for (let i = 0; i + 1 < all.length; i++) {
      const [a, b] = [all[i], all[i + 1]];
      if (a.length + b.length > 20 || (prefix && b === lastToken)) continue;
      for (const language of LANGUAGES) {
        const term = stem(a + b, language);
        if (!this.hasTerm(term)) continue;
        for (const word of [a, b]) joined.set(word, [...(joined.get(word) ?? []), term]);
      }
    }
    const groups: Group[] = [];
    for (const token of tokens) {
      const variants = new Map<string, number>();
      const add = (term: string, weight: number) => {
        if (term && (variants.get(term) ?? 0) < weight) variants.set(term, weight);
      };
      const stems: Group['stems'] = { es: new Set(), en: new Set() };
      const addStems = (word: string, weight: number) => {
        for (const language of LANGUAGES) {
          const term = stem(word, language);
          stems[language].add(term);
          add(term, weight);
        }
      };
      addStems(token, 1);
      for (const term of joined.get(token) ?? []) {
        add(term, 1);
        for (const language of LANGUAGES) stems[language].add(term);
      }
      for (const synonym of this.synonyms.get(token) ?? []) addStems(synonym, 0.9);
      const exactDf = [...variants.keys()].reduce((sum, term) => sum + this.documentFrequency(term), 0);
      if (prefix && token === lastToken && token.length >= 2) {
        for (const shard of this.pieces()) {
          let found = shard.withPrefix(token, PREFIX_EXPANSIONS);
          // Stems can be shorter than what was typed ("facturaci" → "factur"): back off a little.
          for (let cut = 1; found.length === 0 && cut <= 3 && token.length - cut >= 4; cut++) found = shard.withPrefix(token.slice(0, -cut), PREFIX_EXPANSIONS);
          for (const term of found) add(term, 0.8);
        }
      }
      // Typo tolerance: a longer word the index has never seen is matched within one edit. A rare word is
      // checked for a doubled or undoubled letter, the commonest slip, when that spelling is much commoner
      // (guiness → guinness: typos are in the corpus too; checked as typed, since stems hide it).
      // (Not for stop words: they are never indexed, so not finding one is no sign of a typo.)
      const unknown = exactDf === 0;
      const rare = exactDf <= Math.max(3, RARE_WORD_SHARE * this.documentCount);
      if (token.length >= 5 && !isStopWord(token) && rare) {
        const corrections = new Set<string>();
        if (unknown) {
          for (const shard of this.pieces()) {
            // Over a copy: corrections added here must not be corrected again (one edit, not a chain of them).
            // Short stems ("pasado" → "pas") are one edit from too many unrelated words ("cas", "cos").
            for (const term of [...variants.keys()].filter((t) => t.length >= 4)) {
              for (const near of shard.withinOneEdit(term).slice(0, 20)) if (!variants.has(near)) corrections.add(near);
            }
          }
        }
        if (!(prefix && token === lastToken)) {
          for (const spelling of doubledLetterSpellings(token)) {
            for (const language of LANGUAGES) {
              const term = stemOnce(spelling, language);
              if (!variants.has(term) && this.hasTerm(term)) corrections.add(term);
            }
          }
        }
        for (const near of corrections) {
          if (unknown || this.documentFrequency(near) >= COMMONER_SPELLING * exactDf) add(near, 0.6);
        }
      }
      const df = [...variants.keys()].reduce((sum, term) => sum + this.documentFrequency(term), 0);
      groups.push({ token, variants, stems, df });
    }
    return groups;
  }

  search(options: SearchOptions): SearchResult {
    const limit = options.limit ?? 20;
    if (this.documentCount === 0) return { hits: [], total: 0 };
    const planned = this.plan(options.query, options.prefix ?? false);
    const groups = planned.filter((g) => g.df > 0);
    if (groups.length === 0) return { hits: [], total: 0 };
    // What the words no document holds are worth: the idf of an unseen word each. They cannot match, but
    // they are part of what was asked, so they lower every hit's share of the query.
    const unseenWorth = (planned.length - groups.length) * Math.log(1 + this.documentCount);

    const byRarity = [...groups].sort((a, b) => a.df - b.df);
    const rareExists = byRarity[0].df / this.documentCount <= COMMON_SHARE;
    const eligible = rareExists ? byRarity.filter((g) => g.df / this.documentCount <= COMMON_SHARE) : byRarity;

    let taken = 0;
    let budget = 0;
    const candidates = new Map<number, Candidate>();
    // Documents matching the query that were not all made candidates (see retrieveTop): total counts them.
    let matching = 0;
    /** Brings in every document of a word (lunr's postings); returns how many postings that took. */
    const retrieve = (group: Group): number => {
      for (const shard of this.pieces()) {
        const isDelta = shard === this.delta;
        shard.forEachMatch(group.variants.keys(), (local) => {
          const id = shard.idAt(local);
          if (!candidates.has(id) && (isDelta || !this.stale.has(id))) candidates.set(id, { shard, local });
        });
      }
      return group.df;
    };
    // Words too common to take whole (ranking costs a little for every candidate, and a word in 30 % of
    // 100,000 questions would make 30,000 of them): every document holding any of the words gets a cheap
    // estimate (best field weight × idf, summed over words: typed arrays, no objects), and only the best
    // `cap` become candidates, newest first among equals. Each candidate is then checked field by field,
    // so its score is exact; only which documents are ranked is cut.
    //
    // The estimate skips most of the postings of the commonest words without changing which documents are
    // chosen (MaxScore, as in Lucene): words are taken rarest first, each over all its postings, until the
    // words left could not lift a document holding none of the words taken so far (estimate 0) above the
    // `cap`-th best estimate so far (estimates only grow). The words left are then looked up only in the
    // documents already estimated that they could still lift to the `cap`-th best estimate: a few thousand
    // lookups instead of 80,000 postings for "beer". Each word's pass visits only the documents it holds.
    const retrieveTop = (selected: Group[], cap: number): number => {
      if (selected.length === 1) return retrieveTopOfWord(selected[0], cap);
      const fieldWeights = FIELDS.map((field) => FIELD_WEIGHTS[field]);
      const topFieldWeight = Math.max(...fieldWeights);
      const specs = selected
        .map((g) => {
          const idf = Math.log(1 + this.documentCount / (1 + g.df));
          return { terms: g.variants, idf, bound: topFieldWeight * Math.max(...g.variants.values()) * idf };
        })
        .sort((a, b) => b.bound - a.bound);
      const pieces = this.pieces();
      const totals = pieces.map((shard) => this.scratch.take(shard.size));
      const best = pieces.map((shard) => this.scratch.take(shard.size));
      /** Per piece, the local numbers of the documents with an estimate so far (in the order first reached). */
      const reached: number[][] = pieces.map(() => []);
      let reachedCount = 0;
      const touched: number[] = [];
      const reachedValues = () => {
        const values = this.scratch.values(reachedCount);
        let at = 0;
        for (let s = 0; s < reached.length; s++) {
          const locals = reached[s];
          const total = totals[s];
          for (let i = 0; i < locals.length; i++) values[at++] = total[locals[i]];
        }
        return values;
      };
      let scanned = 0;
      // The `cap`-th best estimate when the scan stopped (0 when every word was read).
      let threshold = 0;
      for (; scanned < specs.length; scanned++) {
        const left = specs.slice(scanned).reduce((sum, spec) => sum + spec.bound, 0);
        if (scanned > 0 && reachedCount >= cap) {
          threshold = kthLargest(reachedValues(), cap);
          if (threshold > left) break;
        }
        const spec = specs[scanned];
        pieces.forEach((shard, s) => {
          touched.length = 0;
          shard.markBest(spec.terms, fieldWeights, best[s], touched);
          const total = totals[s];
          const b = best[s];
          const locals = reached[s];
          for (let i = 0; i < touched.length; i++) {
            const local = touched[i];
            if (total[local] === 0) {
              locals.push(local);
              reachedCount += 1;
            }
            total[local] += b[local] * spec.idf;
            b[local] = 0;
          }
        });
      }
      if (scanned === specs.length) threshold = 0;
      const leftBound = specs.slice(scanned).reduce((sum, spec) => sum + spec.bound, 0);
      // The words left, looked up in the documents they could still lift to the threshold (the others end
      // below it, so they are not chosen whatever those words add). Documents holding only those words are not
      // counted one by one: per shard, a word's document frequency minus its holders among the documents
      // looked up and those not looked up (exact with one such word and nothing skipped, a lower bound
      // otherwise, and never below the commonest word's document frequency).
      let count = 0;
      const estimated = reached.map((locals, s) => {
        const total = totals[s];
        const sorted = Int32Array.from(locals).sort();
        if (scanned === specs.length) return { sorted, lookup: sorted, skipped: 0 };
        let keep = 0;
        for (let i = 0; i < sorted.length; i++) if (total[sorted[i]] + leftBound >= threshold) keep += 1;
        if (keep === sorted.length) return { sorted, lookup: sorted, skipped: 0 };
        const lookup = new Int32Array(keep);
        for (let i = 0, at = 0; i < sorted.length; i++) if (total[sorted[i]] + leftBound >= threshold) lookup[at++] = sorted[i];
        return { sorted, lookup, skipped: sorted.length - keep };
      });
      const members = pieces.map((shard) => this.scratch.take(shard.size));
      pieces.forEach((shard, s) => {
        const { sorted, lookup, skipped } = estimated[s];
        let others = 0;
        const member = members[s];
        if (scanned < specs.length) for (let i = 0; i < lookup.length; i++) member[lookup[i]] = 1;
        for (const spec of specs.slice(scanned)) {
          const holding = shard.bestWeights(spec.terms, fieldWeights, best[s], lookup, member);
          [...spec.terms.keys()].forEach((term, i) => {
            const df = shard.documentFrequency.get(term) ?? 0;
            others = Math.max(others, df - holding[i] - skipped, df - sorted.length);
          });
          const total = totals[s];
          const b = best[s];
          for (let i = 0; i < lookup.length; i++) {
            const local = lookup[i];
            total[local] += b[local] * spec.idf;
            b[local] = 0;
          }
        }
        count += sorted.length + others;
      });
      matching = Math.max(matching, count + candidates.size);
      const added = choose(pieces, totals, estimated.map((e) => e.sorted), cap);
      for (const array of [...totals, ...best, ...members]) this.scratch.give(array);
      return added;
    };
    /**
     * Makes candidates of the `cap` documents with the best estimates (`totals`, by piece and local number,
     * for the documents listed in `estimated`, in increasing local order): those above the `cap`-th best
     * first, then ties at it, newest first (the delta, then shards by decreasing ids). Returns how many.
     */
    const choose = (pieces: Shard[], totals: Float64Array[], estimated: Int32Array[], cap: number): number => {
      let count = 0;
      for (const locals of estimated) count += locals.length;
      let threshold = 0;
      if (count > cap) {
        const values = new Float64Array(count);
        let at = 0;
        estimated.forEach((locals, s) => locals.forEach((local) => (values[at++] = totals[s][local])));
        threshold = kthLargest(values, cap);
      }
      let added = 0;
      for (const strict of [true, false]) {
        for (let s = pieces.length - 1; s >= 0 && added < cap; s--) {
          const shard = pieces[s];
          const total = totals[s];
          const locals = estimated[s];
          for (let i = locals.length - 1; i >= 0 && added < cap; i--) {
            const local = locals[i];
            const value = total[local];
            if (strict ? value <= threshold : value !== threshold) continue;
            const id = shard.idAt(local);
            if (candidates.has(id) || (shard !== this.delta && this.stale.has(id))) continue;
            candidates.set(id, { shard, local });
            added += 1;
          }
        }
      }
      return added;
    };
    // One word too common to take whole (often a prefix and its many completions): a document's estimate
    // is then its best field weight × variant weight, one of a handful of values. The word's postings are
    // read a weight at a time, highest first, until `cap` documents have an estimate: every other document
    // could only have a lower one, so the rest is left unread and the candidates are the same. Documents
    // left unread are counted as at least the commonest variant's (total is then a lower bound).
    const retrieveTopOfWord = (group: Group, cap: number): number => {
      const lists = [...group.variants].flatMap(([term, weight]) => FIELDS.map((field, f) => ({ term, f, weight: FIELD_WEIGHTS[field] * weight })));
      lists.sort((a, b) => b.weight - a.weight);
      const pieces = this.pieces();
      const best = pieces.map((shard) => this.scratch.take(shard.size));
      const touched: number[][] = pieces.map(() => []);
      let count = 0;
      for (let i = 0; i < lists.length && count < cap; ) {
        const weight = lists[i].weight;
        for (; i < lists.length && lists[i].weight === weight; i++) {
          const { term, f } = lists[i];
          pieces.forEach((shard, s) => shard.markHolders(term, f, weight, best[s], touched[s]));
        }
        count = touched.reduce((sum, locals) => sum + locals.length, 0);
      }
      let atLeast = 0;
      pieces.forEach((shard, s) => {
        let commonest = 0;
        for (const term of group.variants.keys()) commonest = Math.max(commonest, shard.documentFrequency.get(term) ?? 0);
        atLeast += Math.max(touched[s].length, commonest);
      });
      matching = Math.max(matching, atLeast + candidates.size);
      const added = choose(pieces, best, touched.map((locals) => Int32Array.from(locals).sort()), cap);
      for (const array of best) this.scratch.give(array);
      return added;
    };
    if (eligible[0].df > POSTINGS_BUDGET) {
      // Even the rarest word is too common to take whole: choose the candidates over all the words.
      budget += retrieveTop(byRarity, POSTINGS_BUDGET);
      taken = eligible.length;
    }
    while (taken < eligible.length && (taken === 0 || budget + eligible[taken].df <= POSTINGS_BUDGET)) {
      budget += retrieve(eligible[taken]);
      taken += 1;
    }
    // Widen: too few candidates, so bring in the next rarest words (common ones included) one by one.
    const rest = byRarity.filter((g) => !eligible.slice(0, taken).includes(g));
    while (candidates.size < ENOUGH_CANDIDATES && rest.length > 0 && budget < POSTINGS_BUDGET * 4) {
      const next = rest.shift()!;
      budget += next.df <= POSTINGS_BUDGET ? retrieve(next) : retrieveTop([next], POSTINGS_BUDGET);
    }

    const idfCache = new Map<string, number>();
    const idf = (term: string) => {
      let value = idfCache.get(term);
      if (value === undefined) idfCache.set(term, (value = this.idf(term)));
      return value;
    };
    const saturate = (frequency: number) => (frequency * (K1 + 1)) / (frequency + K1);
    // What a word of the query is worth: the idf of its best variant.
    const worth = groups.map((g) => Math.max(...[...g.variants.keys()].map(idf)));
    const totalWorth = worth.reduce((sum, w) => sum + w, 0);
    const averages = this.averageFieldLengths();
    const averageByField = FIELDS.map((field) => averages[field]);
    const weightByField = FIELDS.map((field) => FIELD_WEIGHTS[field] / FIELD_WEIGHTS.title);
    // Per group, its terms with their idf and their weight in a document of each language.
    const variantsOf = groups.map((group) =>
      [...group.variants].map(([term, variantWeight]) => {
        // A stem of the other language only, in a document: a coincidence or a cognate (OTHER_LANGUAGE_STEM).
        const weightIn = (language: SearchLanguage) => {
          const other = language === 'es' ? 'en' : 'es';
          return group.stems[other].has(term) && !group.stems[language].has(term) ? variantWeight * OTHER_LANGUAGE_STEM : variantWeight;
        };
        return { term, idf: idf(term), es: weightIn('es'), en: weightIn('en') };
      }),
    );
    // Every variant of every group in one list (a variant's number is its place here), and per piece the
    // fields of each variant's postings that hold documents, looked up once per query and piece rather than
    // once per candidate (a lookup in a vocabulary of tens of thousands of terms, then one per field).
    const flat = variantsOf.flat();
    const termFieldsOf = new Map<Shard, (TermFields | undefined)[]>();
    // Per candidate, a field's BM25 length factor (1 / normalized length), worked out when first needed.
    const fieldScores = new Float64Array(FIELDS.length);

    /** A hit while ranking: the variants it matched as bits of `mask` (numbers 0–30) and in `more` (the rest). */
    interface Ranked {
      id: number;
      score: number;
      mask: number;
      more?: number[];
    }
    const byId = new Map<number, Ranked>();
    const now = Date.now();
    let bestShare = 0;
    let partial = 0;
    for (const [id, { shard, local }] of candidates) {
      // (Candidates are never stale: a piece's meta is the current one, without a lookup among every question's.)
      const own = shard.metas[local];
      if (!own) continue;
      // A question closed as a duplicate leads to its original: its match is the original's hit (filters
      // and priors are the original's), and the duplicate itself is not listed.
      const original = own.duplicateOf ? this.metas.get(own.duplicateOf) : undefined;
      const meta = original ?? own;
      if (options.excludeId === id || options.excludeId === meta.id) continue;
      if (options.tag && !meta.tags.includes(options.tag)) continue;
      if (options.answered && meta.answerCount === 0) continue;
      if (options.language && meta.language !== options.language) continue;
      let lists = termFieldsOf.get(shard);
      if (!lists) termFieldsOf.set(shard, (lists = flat.map((variant) => shard.termFields(variant.term))));
      fieldScores.fill(-1);
      const language = own.language;
      let text = 0;
      let matchedWorth = 0;
      let mask = 0;
      let more: number[] | undefined;
      for (let g = 0, v = 0; g < variantsOf.length; g++) {
        const variants = variantsOf[g];
        let best = 0;
        for (let j = 0; j < variants.length; j++, v++) {
          const held = lists[v];
          if (!held) continue;
          let fields = 0;
          // The replies' weighted frequencies, and the highest weight among the replies holding the term.
          let replies = 0;
          let repliesWeight = 0;
          let found = false;
          for (let k = 0; k < held.fields.length; k++) {
            const value = held.docs[k][id];
            if (value === undefined) continue;
            found = true;
            const f = held.fields[k];
            if (fieldScores[f] < 0) {
              const length = shard.fieldLengthAt(local, f);
              fieldScores[f] = 1 / (1 - LENGTH_NORMALIZATION + (LENGTH_NORMALIZATION * length) / averageByField[f]);
            }
            // A term's frequency in the field (BM25's tf, saturated with K1): stored where above 1.
            const frequency = (typeof value === 'number' ? value : 1) * fieldScores[f];
            if (REPLY_FIELDS[f]) {
              replies += weightByField[f] * frequency;
              repliesWeight = Math.max(repliesWeight, weightByField[f]);
            } else fields += weightByField[f] * saturate(frequency);
          }
          if (!found) continue;
          if (replies > 0) fields += repliesWeight * saturate(replies / repliesWeight);
          if (v < 31) mask |= 1 << v;
          else (more ??= []).push(v);
          const variant = variants[j];
          best = Math.max(best, variant.idf * variant[language] * fields);
        }
        if (best > 0) matchedWorth += worth[g];
        text += best;
      }
      if (matchedWorth === 0) continue;
      const share = matchedWorth / (totalWorth + unseenWorth);
      if (options.minShare !== undefined && share < options.minShare) {
        partial += 1;
        continue;
      }
      bestShare = Math.max(bestShare, share);
      // Words matched, weighted by what they are worth: "lime" and "corona" count for more than "people".
      const coverage = matchedWorth / totalWorth;
      const prior = 1 + (meta.hasAccepted ? 0.15 : 0) + (meta.hasOfficial ? 0.1 : 0) + (meta.answerCount > 0 ? 0.05 : 0) + SCORE_WEIGHT * Math.log1p(Math.max(0, meta.score));
      const languageBoost = options.preferLanguage && meta.language === options.preferLanguage ? PREFERRED_LANGUAGE_BOOST : 1;
      const score = (text / totalWorth) * (0.5 + 0.5 * coverage) * prior * languageBoost * this.popularityFactor(meta, now);
      const known = byId.get(meta.id);
      if (!known) byId.set(meta.id, { id: meta.id, score, mask, more });
      else {
        known.score = Math.max(known.score, score);
        known.mask |= mask;
        if (more) known.more = [...(known.more ?? []), ...more];
      }
    }
    const ranked = [...byId.values()];
    ranked.sort((a, b) => b.score - a.score || b.id - a.id);
    // The terms each hit matched (for highlighting), for the hits returned only.
    const termsOf = (hit: Ranked): string[] => {
      const terms = new Set<string>();
      for (let v = 0; v < Math.min(31, flat.length); v++) if (hit.mask & (1 << v)) terms.add(flat[v].term);
      for (const v of [...(hit.more ?? [])].sort((a, b) => a - b)) terms.add(flat[v].term);
      return [...terms];
    };
    const hits: Hit[] = ranked.slice(0, limit).map((hit) => ({ id: hit.id, score: hit.score, terms: termsOf(hit) }));
    // When not every matching document was ranked, each would have been a hit (without filters).
    const unfiltered = !options.tag && !options.answered && !options.language;
    // (Once partial matches were left out, the documents not ranked cannot be counted as hits either.)
    const filtered = !unfiltered || partial > 0;
    return { hits, total: filtered ? ranked.length : Math.max(ranked.length, matching), weak: hits.length > 0 && bestShare < STRONG_SHARE };
  }
}
