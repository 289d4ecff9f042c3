// Owns one piece of the search index: a lunr index over a range of questions (lunr is the engine: it holds
// the postings and answers the queries), with the vocabulary, document frequencies and field lengths the
// query planner and the ranking need, serializable to a file.
//
// lunr keeps an object per posting and a vector per document field. Once a shard is loaded, every posting's
// metadata (always empty: no metadata is whitelisted) is made one shared object: a third less memory.
// (Float32Array vectors were measured too: more memory, not less, since most field vectors are short.)
import type lunrTypes from 'lunr';
import { FIELDS, type DocMeta, type Field, type IndexedDoc } from './documents.ts';
import { lunr } from './lunr.ts';

const F = FIELDS.length;
const FIELD_INDEX = Object.fromEntries(FIELDS.map((field, f) => [field, f])) as Record<Field, number>;

// Letters tried for insertions and replacements in typo corrections: terms are folded (lower case, no
// accents), so these plus the word's own letters cover them.
const TYPO_LETTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const spellingCache = new Map<string, string[]>();

/** Every spelling one edit away from a word (and the word itself), computed once per word and shared by all shards. */
export function spellingsWithinOneEdit(word: string): string[] {
  let spellings = spellingCache.get(word);
  if (spellings) return spellings;
  const chars = [...word];
  const n = chars.length;
  const letters = [...new Set([...TYPO_LETTERS, ...chars])];
  const out = new Set<string>([word]);
  const join = (from: number, to: number) => chars.slice(from, to).join('');
  for (let i = 0; i < n; i++) out.add(join(0, i) + join(i + 1, n));
  for (let i = 0; i + 1 < n; i++) out.add(join(0, i) + chars[i + 1] + chars[i] + join(i + 2, n));
  for (let i = 0; i <= n; i++) {
    const head = join(0, i);
    const tail = join(i, n);
    const rest = join(i + 1, n);
    for (const letter of letters) {
      out.add(head + letter + tail);
      if (i < n) out.add(head + letter + rest);
    }
  }
  spellings = [...out];
  if (spellingCache.size >= 500) spellingCache.clear();
  spellingCache.set(word, spellings);
  return spellings;
}

/** A shard as stored in a file (store.ts writes and reads it; build.ts makes it). */
export interface ShardFile {
  format: number;
  fromId: number;
  toId: number;
  /** The search change log position the shard reflects: changes after it are not in this shard. */
  changeId: number;
  /** The documents, in increasing id order: a document's position is its local number. */
  metas: DocMeta[];
  /** Sorted vocabulary, and per term the documents holding it in any field. */
  terms: string[];
  df: number[];
  /** Per document and field (local * FIELDS.length + field): distinct terms in that field. */
  lengths: number[];
  /** The lunr index (lunr.Index#toJSON). */
  index: object;
}

/** Bump when tokenization, fields or the file layout change: persisted shards of another format are rebuilt. */
export const SHARD_FORMAT = 4;

function buildLunrIndex(docs: IndexedDoc[]): lunrTypes.Index {
  const builder = new lunr.Builder();
  // Terms arrive already tokenized, folded and stemmed (text.ts): lunr's own pipelines stay empty.
  builder.pipeline.reset();
  builder.searchPipeline.reset();
  builder.metadataWhitelist = [];
  builder.ref('id');
  for (const field of FIELDS) builder.field(field);
  for (const doc of docs) builder.add({ id: String(doc.meta.id), ...doc.fields });
  return builder.build();
}

/** Builds the shard of some documents (any order; they are sorted by id). */
export function shardFile(docs: IndexedDoc[], fromId: number, toId: number, changeId: number): ShardFile {
  const sorted = [...docs].sort((a, b) => a.meta.id - b.meta.id);
  const { terms, df, lengths } = statistics(sorted);
  return { format: SHARD_FORMAT, fromId, toId, changeId, metas: sorted.map((d) => d.meta), terms, df, lengths, index: buildLunrIndex(sorted).toJSON() };
}

function statistics(sorted: IndexedDoc[]): { terms: string[]; df: number[]; lengths: number[] } {
  const counts = new Map<string, number>();
  const lengths = new Array<number>(sorted.length * F).fill(0);
  sorted.forEach((doc, local) => {
    const seen = new Set<string>();
    FIELDS.forEach((field, f) => {
      const distinct = new Set(doc.fields[field]);
      lengths[local * F + f] = Math.min(distinct.size, 0xffff);
      for (const term of distinct) seen.add(term);
    });
    for (const term of seen) counts.set(term, (counts.get(term) ?? 0) + 1);
  });
  const terms = [...counts.keys()].sort();
  return { terms, df: terms.map((term) => counts.get(term)!), lengths };
}

/** Term lookups of a shard: document frequency of a term, and whether the shard has it at all. */
export interface TermFrequencies {
  get(term: string): number | undefined;
  has(term: string): boolean;
}

type Postings = Record<string, Record<string, unknown>> & { _index: number };
interface LunrInternals {
  invertedIndex: Record<string, Postings>;
}

const NO_METADATA = Object.freeze(Object.create(null) as object);

/** Shares the (empty) metadata object of every posting. */
function compact(index: lunrTypes.Index): void {
  const internals = index as unknown as LunrInternals;
  for (const term in internals.invertedIndex) {
    const postings = internals.invertedIndex[term];
    for (const field of FIELDS) {
      const docs = postings[field];
      if (docs) for (const ref in docs) docs[ref] = NO_METADATA;
    }
  }
}

export class Shard {
  readonly fromId: number;
  readonly toId: number;
  readonly changeId: number;
  readonly metas: DocMeta[];
  /** Sorted vocabulary, for prefix expansion by binary search. */
  readonly vocabulary: string[];
  /** Documents containing each term (in any field). */
  readonly documentFrequency: TermFrequencies;
  readonly index: lunrTypes.Index;
  private readonly inverted: Record<string, Postings>;
  private readonly termIndex = new Map<string, number>();
  private readonly df: Int32Array;
  private readonly lengths: Uint16Array;
  private readonly ids: Int32Array;
  private readonly localByRef = new Map<string, number>();
  private averages: Record<Field, number> | undefined;

  private constructor(file: Omit<ShardFile, 'index'>, index: lunrTypes.Index) {
    this.fromId = file.fromId;
    this.toId = file.toId;
    this.changeId = file.changeId;
    this.metas = file.metas;
    this.vocabulary = file.terms;
    this.df = Int32Array.from(file.df);
    this.lengths = Uint16Array.from(file.lengths);
    this.ids = Int32Array.from(file.metas, (m) => m.id);
    file.metas.forEach((meta, local) => this.localByRef.set(String(meta.id), local));
    for (let t = 0; t < file.terms.length; t++) this.termIndex.set(file.terms[t], t);
    compact(index);
    this.index = index;
    this.inverted = (index as unknown as LunrInternals).invertedIndex;
    const { termIndex, df } = this;
    this.documentFrequency = {
      get: (term) => {
        const t = termIndex.get(term);
        return t === undefined ? undefined : df[t];
      },
      has: (term) => termIndex.has(term),
    };
  }

  static fromFile(file: ShardFile): Shard {
    return new Shard(file, lunr.Index.load(file.index));
  }

  static fromDocs(docs: IndexedDoc[], fromId: number, toId: number, changeId: number): Shard {
    const sorted = [...docs].sort((a, b) => a.meta.id - b.meta.id);
    const stats = statistics(sorted);
    return new Shard({ format: SHARD_FORMAT, fromId, toId, changeId, metas: sorted.map((d) => d.meta), ...stats }, buildLunrIndex(sorted));
  }

  get size(): number {
    return this.metas.length;
  }

  /** Vocabulary terms starting with `prefix`, most frequent first. */
  withPrefix(prefix: string, limit: number): string[] {
    const vocabulary = this.vocabulary;
    let lo = 0;
    let hi = vocabulary.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (vocabulary[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: number[] = [];
    for (let i = lo; i < vocabulary.length && vocabulary[i].startsWith(prefix); i++) found.push(i);
    if (found.length > limit) found.sort((a, b) => this.df[b] - this.df[a]).length = limit;
    return found.map((i) => vocabulary[i]);
  }

  /**
   * Vocabulary terms within one edit of `term` (a letter inserted, dropped, replaced, or two neighbours
   * swapped), most frequent first. Each such spelling is looked up: a few hundred hash lookups per shard.
   */
  withinOneEdit(term: string): string[] {
    const found = new Set<number>();
    for (const candidate of spellingsWithinOneEdit(term)) {
      const t = this.termIndex.get(candidate);
      if (t !== undefined) found.add(t);
    }
    return [...found].sort((a, b) => this.df[b] - this.df[a] || a - b).map((t) => this.vocabulary[t]);
  }

  /**
   * lunr's query over concrete terms (built with the query builder, never the query-string parser): the
   * documents holding any of them, and which terms matched in which fields. Ranking is done by the caller
   * with statistics of the whole corpus.
   */
  match(terms: string[]): { id: number; fields: Record<string, string[]> }[] {
    const present = terms.filter((term) => this.termIndex.has(term));
    if (present.length === 0) return [];
    const results = this.index.query((query) => {
      for (const term of present) query.term(term, { usePipeline: false, wildcard: lunr.Query.wildcard.NONE });
    });
    return results.map((result) => {
      const fields: Record<string, string[]> = {};
      const metadata = result.matchData.metadata as Record<string, Record<string, unknown>>;
      for (const term in metadata) for (const field in metadata[term]) (fields[field] ??= []).push(term);
      return { id: Number(result.ref), fields };
    });
  }

  /** The id of the document with this local number. */
  idAt(local: number): number {
    return this.ids[local];
  }

  /**
   * A cheap estimate of each document's relevance, for choosing candidates when the postings are too many
   * to rank them all: per group of terms (a query word's variants), the best field weight × term weight
   * among the group's terms the document holds, times the group's idf, summed over groups. Indexed by
   * local number; 0 for documents that hold none of the terms. Reads lunr's postings directly.
   */
  estimate(groups: { terms: ReadonlyMap<string, number>; idf: number }[], fieldWeights: readonly number[]): Float64Array {
    const n = this.ids.length;
    const total = new Float64Array(n);
    const best = new Float64Array(n);
    for (const group of groups) {
      let touched = false;
      for (const [term, weight] of group.terms) {
        const postings = this.inverted[term];
        if (!postings) continue;
        for (let f = 0; f < F; f++) {
          const docs = postings[FIELDS[f]];
          if (!docs) continue;
          const w = fieldWeights[f] * weight;
          for (const ref in docs) {
            const local = this.localByRef.get(ref);
            if (local === undefined) continue;
            if (best[local] < w) best[local] = w;
            touched = true;
          }
        }
      }
      if (!touched) continue;
      for (let local = 0; local < n; local++) {
        if (best[local] > 0) {
          total[local] += best[local] * group.idf;
          best[local] = 0;
        }
      }
    }
    return total;
  }

  /** Whether a document's field holds a term (one lookup in lunr's postings). */
  has(id: number, field: Field, term: string): boolean {
    return this.inverted[term]?.[field]?.[id] !== undefined;
  }

  /** Distinct terms in a document's field (0 when the shard does not hold the document). */
  fieldLength(id: number, field: Field): number {
    const local = this.localByRef.get(String(id));
    return local === undefined ? 0 : this.lengths[local * F + FIELD_INDEX[field]];
  }

  /** Average length of each field over the documents that have it (a missing accepted answer is not a short one). */
  averageFieldLengths(): Record<Field, number> {
    if (!this.averages) {
      const sums = new Array<number>(F).fill(0);
      const counts = new Array<number>(F).fill(0);
      for (let i = 0; i < this.lengths.length; i++) {
        if (this.lengths[i] === 0) continue;
        sums[i % F] += this.lengths[i];
        counts[i % F] += 1;
      }
      this.averages = Object.fromEntries(FIELDS.map((field, f) => [field, counts[f] ? sums[f] / counts[f] : 1])) as Record<Field, number>;
    }
    return this.averages;
  }
}
