// Owns answering a query over the pieces of the index: planning terms from the user's words, keeping the
// candidate set small, and ranking with statistics of the whole corpus. Pure: no I/O, no threads.
import type lunrTypes from 'lunr';
import { FIELD_WEIGHTS, FIELDS, type DocMeta, type Field, type IndexedDoc } from './documents.ts';
import { Shard } from './shard.ts';
import { isStopWord, stem, tokenize } from './text.ts';

export interface SearchOptions {
  query: string;
  /** Treat the last word as a prefix (search-as-you-type). */
  prefix?: boolean;
  tag?: string;
  answered?: boolean;
  excludeId?: number;
  /** How many ranked hits to return at most. */
  limit?: number;
}

export interface Hit {
  id: number;
  score: number;
  /** Index terms that matched, for highlighting. */
  terms: string[];
}

export interface SearchResult {
  hits: Hit[];
  total: number;
}

interface Group {
  token: string;
  /** term → weight (1 exact, less for synonyms, prefixes and typo corrections). */
  variants: Map<string, number>;
  df: number;
}

const MAX_QUERY_TOKENS = 24;
const PREFIX_EXPANSIONS = 12;
// A term in more than this share of documents is left out of retrieval when rarer terms exist; it still
// counts in ranking, checked on the candidates only.
const COMMON_SHARE = 0.2;
// Retrieval stops adding terms once their postings add up to this; more are added only when too few
// documents came back.
const POSTINGS_BUDGET = 8_000;
const ENOUGH_CANDIDATES = 50;

type FieldVectors = Record<string, { elements: number[] }>;
type InvertedIndex = Record<string, { _index: number }>;

/** Whether a document field of a shard contains a term, from lunr's field vectors (sorted by term index). */
function fieldHas(shard: Shard, id: number, field: Field, term: string): boolean {
  const inverted = (shard.index as unknown as { invertedIndex: InvertedIndex }).invertedIndex;
  const entry = inverted[term];
  if (!entry) return false;
  const vector = (shard.index as unknown as { fieldVectors: FieldVectors }).fieldVectors[`${field}/${id}`];
  if (!vector) return false;
  const elements = vector.elements;
  let lo = 0;
  let hi = elements.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const value = elements[mid * 2];
    if (value === entry._index) return true;
    if (value < entry._index) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export class SearchIndex {
  private shards: Shard[] = [];
  private delta: Shard | null = null;
  private readonly deltaDocs = new Map<number, IndexedDoc>();
  /** Ids whose version in a base shard is stale (edited or deleted since the shard was built). */
  private readonly stale = new Set<number>();
  private readonly metas = new Map<number, DocMeta>();
  private synonyms = new Map<string, string[]>();

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

  private pieces(): Shard[] {
    return this.delta ? [...this.shards, this.delta] : this.shards;
  }

  private documentFrequency(term: string): number {
    let df = 0;
    for (const shard of this.pieces()) df += shard.documentFrequency.get(term) ?? 0;
    return df;
  }

  private idf(term: string): number {
    return Math.log(1 + this.documentCount / (1 + this.documentFrequency(term)));
  }

  /** The user's words as groups of index terms. Never throws, whatever the input. */
  plan(query: string, prefix: boolean): Group[] {
    const all = tokenize(query.slice(0, 2_000), MAX_QUERY_TOKENS);
    const content = all.filter((token) => !isStopWord(token));
    const tokens = [...new Set(content.length ? content : all)];
    const lastToken = all[all.length - 1];
    const groups: Group[] = [];
    for (const token of tokens) {
      const variants = new Map<string, number>();
      const add = (term: string, weight: number) => {
        if (term && (variants.get(term) ?? 0) < weight) variants.set(term, weight);
      };
      add(stem(token, 'es'), 1);
      add(stem(token, 'en'), 1);
      for (const synonym of this.synonyms.get(token) ?? []) {
        add(stem(synonym, 'es'), 0.9);
        add(stem(synonym, 'en'), 0.9);
      }
      const exactDf = [...variants.keys()].reduce((sum, term) => sum + this.documentFrequency(term), 0);
      if (prefix && token === lastToken && token.length >= 2) {
        for (const shard of this.pieces()) {
          let found = shard.withPrefix(token, PREFIX_EXPANSIONS);
          // Stems can be shorter than what was typed ("facturaci" → "factur"): back off a little.
          for (let cut = 1; found.length === 0 && cut <= 3 && token.length - cut >= 4; cut++) found = shard.withPrefix(token.slice(0, -cut), PREFIX_EXPANSIONS);
          for (const term of found) add(term, 0.8);
        }
      }
      // Typo tolerance: a longer word the index has never seen is matched within one edit.
      if (exactDf === 0 && token.length >= 5) {
        for (const shard of this.pieces()) {
          for (const term of variants.keys()) for (const near of shard.withinOneEdit(term).slice(0, 20)) add(near, 0.6);
        }
      }
      const df = [...variants.keys()].reduce((sum, term) => sum + this.documentFrequency(term), 0);
      groups.push({ token, variants, df });
    }
    return groups;
  }

  search(options: SearchOptions): SearchResult {
    const limit = options.limit ?? 20;
    if (this.documentCount === 0) return { hits: [], total: 0 };
    const groups = this.plan(options.query, options.prefix ?? false).filter((g) => g.df > 0);
    if (groups.length === 0) return { hits: [], total: 0 };

    const byRarity = [...groups].sort((a, b) => a.df - b.df);
    const rareExists = byRarity[0].df / this.documentCount <= COMMON_SHARE;
    const eligible = rareExists ? byRarity.filter((g) => g.df / this.documentCount <= COMMON_SHARE) : byRarity;

    let taken = 0;
    let budget = 0;
    const retrievedTerms = new Set<string>();
    const candidates = new Map<number, { shard: Shard; fields: Record<string, string[]> }>();
    const retrieve = (group: Group) => {
      const terms = [...group.variants.keys()];
      for (const term of terms) retrievedTerms.add(term);
      for (const shard of this.pieces()) {
        const isDelta = shard === this.delta;
        const present = terms.filter((term) => shard.documentFrequency.has(term));
        if (present.length === 0) continue;
        for (const match of shard.match(present)) {
          if (!isDelta && this.stale.has(match.id)) continue;
          const existing = candidates.get(match.id);
          if (!existing) candidates.set(match.id, { shard, fields: match.fields });
          else for (const [field, list] of Object.entries(match.fields)) (existing.fields[field] ??= []).push(...list);
        }
      }
    };
    while (taken < eligible.length && (taken === 0 || budget + eligible[taken].df <= POSTINGS_BUDGET)) {
      budget += eligible[taken].df;
      retrieve(eligible[taken]);
      taken += 1;
    }
    // Widen: too few candidates, so bring in the next rarest words (common ones included) one by one.
    const rest = byRarity.filter((g) => !eligible.slice(0, taken).includes(g));
    while (candidates.size < ENOUGH_CANDIDATES && rest.length > 0 && budget < POSTINGS_BUDGET * 4) {
      const next = rest.shift()!;
      budget += next.df;
      retrieve(next);
    }

    const idfCache = new Map<string, number>();
    const idf = (term: string) => {
      let value = idfCache.get(term);
      if (value === undefined) idfCache.set(term, (value = this.idf(term)));
      return value;
    };
    const maxPossible = groups.reduce((sum, g) => sum + FIELD_WEIGHTS.title * Math.max(...[...g.variants.keys()].map(idf)), 0);

    const hits: Hit[] = [];
    for (const [id, candidate] of candidates) {
      const meta = this.metas.get(id);
      if (!meta) continue;
      if (options.excludeId === id) continue;
      if (options.tag && !meta.tags.includes(options.tag)) continue;
      if (options.answered && meta.answerCount === 0) continue;
      let text = 0;
      let matchedGroups = 0;
      const matchedTerms = new Set<string>();
      for (const group of groups) {
        let best = 0;
        for (const [term, weight] of group.variants) {
          for (const field of FIELDS) {
            // Retrieved terms are known from lunr's match data; the others are looked up in the field vector.
            const hit = retrievedTerms.has(term) ? candidate.fields[field]?.includes(term) : fieldHas(candidate.shard, id, field, term);
            if (!hit) continue;
            matchedTerms.add(term);
            best = Math.max(best, FIELD_WEIGHTS[field] * idf(term) * weight);
          }
        }
        if (best > 0) matchedGroups += 1;
        text += best;
      }
      if (matchedGroups === 0) continue;
      const coverage = matchedGroups / groups.length;
      const prior = 1 + (meta.hasAccepted ? 0.15 : 0) + (meta.hasOfficial ? 0.1 : 0) + (meta.answerCount > 0 ? 0.05 : 0) + 0.05 * Math.log1p(Math.max(0, meta.score));
      const score = (text / maxPossible) * (0.5 + 0.5 * coverage) * prior;
      hits.push({ id, score, terms: [...matchedTerms] });
    }
    hits.sort((a, b) => b.score - a.score || b.id - a.id);
    return { hits: hits.slice(0, limit), total: hits.length };
  }

  metaOf(id: number): DocMeta | undefined {
    return this.metas.get(id);
  }
}

export type { lunrTypes };
