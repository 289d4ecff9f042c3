// Owns one piece of the search index: a lunr index over a range of questions (lunr is the engine: it builds
// and holds the postings the queries read), with the vocabulary, document frequencies and field lengths the
// query planner and the ranking need, serializable to a file.
//
// Each shard is built by lunr's Builder (builder.build(): inverted index, field vectors, token set). Queries
// read lunr's inverted index for the planner's exact terms (lunr.Index#query returned the same documents, with
// a match-data object per document and field that nothing used); ranking is our own BM25F over the whole
// corpus (engine.ts), so lunr's per-shard scores are not used. What only lunr's scoring and its wildcard/fuzzy
// expansion need is therefore not kept (measured at 100,000 questions: half of lunr's memory, 26 → 12.6 MiB a
// shard of 5,000): every document lends lunr the same empty field vector,
// and the token set (a trie of the vocabulary) is replaced by an exact-term lookup in the inverted index,
// which answers exactly what the trie would for exact terms. When even the rarest query word is too common
// to take whole, the engine reads lunr's postings directly to choose candidates (engine.ts, MaxScore).
// Once loaded, every posting's metadata (always empty: no metadata is whitelisted) is one shared object,
// and so is every empty field of a term (a third less memory again).
// (Float32Array vectors were measured too: more memory, not less, since most field vectors are short.)
import type lunrTypes from 'lunr';
import { FIELDS, type DocMeta, type Field, type IndexedDoc } from './documents.ts';
import { boundedMemo } from '../../lib/memo.ts';
import { lunr } from './lunr.ts';

const F = FIELDS.length;
const FIELD_INDEX = Object.fromEntries(FIELDS.map((field, f) => [field, f])) as Record<Field, number>;

// Letters tried for insertions and replacements in typo corrections: terms are folded (lower case, no
// accents), so these plus the word's own letters cover them.
const TYPO_LETTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

/** Every spelling one edit away from a word (and the word itself), computed once per word and shared by all shards. */
export const spellingsWithinOneEdit = boundedMemo(500, (word: string): string[] => {
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
  return [...out];
});

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
  /** The lunr index as lunr.Index#toJSON writes it, without its field vectors (see the top of this file). */
  index: SerializedIndex;
}

/** Bump when tokenization, fields or the file layout change: persisted shards of another format are rebuilt. */
export const SHARD_FORMAT = 10;

/** Common terms' postings kept decoded (typed arrays of local numbers) per shard, at most this many bytes (see Shard#decodedOf). */
const DECODED_BYTES = 1 << 20;
/** A term in fewer of a shard's documents is read from lunr's postings as it is (cheap enough). */
const DECODE_MIN_DOCUMENTS = 256;
const NO_LOCALS = new Int32Array(0);

/** Term frequencies kept per posting are capped here (BM25 saturates long before). */
const MAX_FREQUENCY = 255;

/** lunr's postings of one term: per field, the refs (question ids) of the documents holding it; `_index` is lunr's term number. */
type Postings = Record<string, Record<string, unknown>> & { _index: number };
interface SerializedIndex {
  version: string;
  fields: string[];
  fieldVectors: [string, number[]][];
  invertedIndex: [string, Postings][];
  pipeline: string[];
}
interface LunrInternals {
  invertedIndex: Record<string, Postings>;
  fieldVectors: Record<string, unknown>;
  tokenSet: unknown;
}

const NO_METADATA = Object.freeze(Object.create(null) as object);
const NO_DOCUMENTS = Object.freeze(Object.create(null) as Record<string, unknown>);

function buildLunrIndex(docs: IndexedDoc[]): lunrTypes.Index {
  const builder = new lunr.Builder();
  // Terms arrive already tokenized, folded and stemmed (text.ts): lunr's own pipelines stay empty.
  builder.pipeline.reset();
  builder.searchPipeline.reset();
  builder.metadataWhitelist = [];
  builder.ref('id');
  for (const field of FIELDS) builder.field(field);
  for (const doc of docs) builder.add({ id: String(doc.meta.id), ...doc.fields });
  // lunr makes an (empty) metadata object per posting: shared before build() allocates its vectors and
  // token set, so that a build's memory peak holds one set of postings, not two.
  const inverted = (builder as unknown as LunrInternals).invertedIndex;
  shareEmptyObjects(inverted);
  // A term occurring more than once in a field keeps its count in place of the posting's metadata: a small
  // integer, stored in the posting as the shared object was (no extra memory), ignored by lunr's query.
  for (const doc of docs) {
    for (const [field, counts] of Object.entries(doc.frequencies ?? {}) as [Field, number[]][]) {
      const terms = doc.fields[field];
      counts.forEach((count, i) => {
        if (count > 1) inverted[terms[i]][field][String(doc.meta.id)] = Math.min(count, MAX_FREQUENCY);
      });
    }
  }
  return builder.build();
}

/**
 * lunr.Index.load of a serialized index, without building the token set (a trie of the vocabulary) or the
 * field vectors: compact() gives the index what lunr's query needs instead.
 */
function loadLunrIndex(serialized: SerializedIndex): lunrTypes.Index {
  const invertedIndex: Record<string, Postings> = Object.create(null);
  for (const [term, postings] of serialized.invertedIndex) invertedIndex[term] = postings;
  return new lunr.Index({
    invertedIndex,
    fields: serialized.fields,
    pipeline: lunr.Pipeline.load(serialized.pipeline),
  } as unknown as ConstructorParameters<typeof lunr.Index>[0]);
}

/** Builds the shard of some documents (any order; they are sorted by id). */
export function shardFile(docs: IndexedDoc[], fromId: number, toId: number, changeId: number): ShardFile {
  const sorted = [...docs].sort((a, b) => a.meta.id - b.meta.id);
  const { terms, df, lengths } = statistics(sorted);
  return { format: SHARD_FORMAT, fromId, toId, changeId, metas: sorted.map((d) => d.meta), terms, df, lengths, index: compact(buildLunrIndex(sorted)).toJSON() as unknown as SerializedIndex };
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

/** The fields of a term's postings that hold documents (field numbers, increasing) and lunr's documents of each (id → frequency, or the shared empty metadata for 1). */
export interface TermFields {
  fields: number[];
  docs: Record<string, unknown>[];
}

/** Term lookups of a shard: document frequency of a term, and whether the shard has it at all. */
export interface TermFrequencies {
  get(term: string): number | undefined;
  has(term: string): boolean;
}


/** Shares the (empty) metadata object of every posting, and the (empty) documents of every field a term is not in. */
function shareEmptyObjects(invertedIndex: Record<string, Postings>): void {
  for (const term in invertedIndex) {
    const postings = invertedIndex[term];
    for (const field of FIELDS) {
      const docs = postings[field];
      let empty = true;
      if (docs) {
        for (const ref in docs) {
          if (typeof docs[ref] !== 'number') docs[ref] = NO_METADATA;
          empty = false;
        }
      }
      if (empty) postings[field] = NO_DOCUMENTS;
    }
  }
}

/**
 * What lunr.Index#query asks of a token set, for exact terms only: `intersect` with the token set of one
 * clause's term (a chain of one edge per letter, as lunr.TokenSet.fromString makes it) gives that term when
 * the index has it. Our queries are all exact terms (the planner expands prefixes, typos and synonyms
 * itself), so this answers exactly what lunr's trie of the whole vocabulary would, without keeping the trie.
 */
function exactTermSet(invertedIndex: Record<string, Postings>): unknown {
  return {
    intersect(clauseSet: { edges: Record<string, unknown>; final: boolean }) {
      let term = '';
      let node = clauseSet;
      for (let letters = Object.keys(node.edges); letters.length === 1; letters = Object.keys(node.edges)) {
        term += letters[0];
        node = node.edges[letters[0]] as typeof node;
      }
      const found = node.final && Object.keys(node.edges).length === 0 && term in invertedIndex;
      return { toArray: () => (found ? [term] : []) };
    },
  };
}

/**
 * lunr scores each match against the document's field vector; ranking is ours (engine.ts), so every
 * document lends the same empty vector (lunr's score is then 0) and no vectors are kept.
 */
const EMPTY_VECTOR = new lunr.Vector([]);
const NO_VECTORS: Record<string, unknown> = new Proxy(Object.create(null) as Record<string, unknown>, { get: () => EMPTY_VECTOR });

/**
 * Keeps of a lunr index what queries read (see the top of this file): its postings, with their empty
 * objects shared, an exact-term token set and no field vectors, so that lunr.Index#query still works.
 */
function compact(index: lunrTypes.Index): lunrTypes.Index {
  const internals = index as unknown as LunrInternals;
  shareEmptyObjects(internals.invertedIndex);
  internals.fieldVectors = NO_VECTORS;
  internals.tokenSet = exactTermSet(internals.invertedIndex);
  return index;
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
  /** Local numbers by id − firstId (−1 where the shard has no such document): an array read per posting, not a hash lookup. */
  private readonly localByOffset: Int32Array;
  private readonly firstId: number;
  private totals: { sums: number[]; counts: number[] } | undefined;
  /** Common terms' postings as typed arrays, least recently read first (see decodedOf). */
  private readonly decoded = new Map<string, Int32Array[]>();
  private decodedBytes = 0;
  /** Marks of bestWeightsAmong: a new one per call, never 0 or 1. */
  private stamp = 1;

  private constructor(file: Omit<ShardFile, 'index'>, index: lunrTypes.Index) {
    this.fromId = file.fromId;
    this.toId = file.toId;
    this.changeId = file.changeId;
    this.metas = file.metas;
    this.vocabulary = file.terms;
    this.df = Int32Array.from(file.df);
    this.lengths = Uint16Array.from(file.lengths);
    this.ids = Int32Array.from(file.metas, (m) => m.id);
    this.firstId = this.ids.length ? this.ids[0] : 0;
    this.localByOffset = new Int32Array(this.ids.length ? this.ids[this.ids.length - 1] - this.firstId + 1 : 0).fill(-1);
    this.ids.forEach((id, local) => (this.localByOffset[id - this.firstId] = local));
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
    return new Shard(file, loadLunrIndex(file.index));
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

  /** The id of the document with this local number. */
  idAt(local: number): number {
    return this.ids[local];
  }

  /**
   * Calls `visit` with the local number of every document holding any of the terms in any field (once each),
   * read straight from lunr's postings of the terms the planner produced (never lunr's query-string parser,
   * never user input as such). lunr's own query returns the same documents, but builds a match-data object
   * per document and field on the way, for nothing: ranking is ours.
   */
  forEachMatch(terms: Iterable<string>, visit: (local: number) => void): void {
    const { localByOffset, firstId } = this;
    const seen = new Uint8Array(this.ids.length);
    for (const term of terms) {
      const postings = this.inverted[term];
      if (!postings) continue;
      for (let f = 0; f < F; f++) {
        for (const ref in postings[FIELDS[f]]) {
          const local = localByOffset[Number(ref) - firstId];
          if (seen[local] === 1) continue;
          seen[local] = 1;
          visit(local);
        }
      }
    }
  }

  /**
   * Per document, the best field weight × term weight among the given terms it holds, written into `best`
   * (indexed by local number) where larger: a cheap relevance estimate, for choosing candidates when the
   * postings are too many to rank them all. Without `locals`, every document holding a term is visited
   * (lunr's postings, one pass); with `locals`, only those documents are looked up (one lookup per
   * document, term and field), and the result is how many of them hold each term, in order.
   */
  bestWeights(terms: ReadonlyMap<string, number>, fieldWeights: readonly number[], best: Float64Array, locals?: Int32Array, member?: Float64Array): number[] {
    const holding: number[] = [];
    for (const [term, weight] of terms) {
      const postings = this.inverted[term];
      if (!postings) holding.push(0);
      else if (!locals) {
        this.bestWeightsOfAll(term, postings, weight, fieldWeights, best, undefined);
        holding.push(0);
      } else {
        const decoded = member ? this.decodedOf(term, postings) : undefined;
        holding.push(decoded ? this.bestWeightsAmong(decoded, weight, fieldWeights, best, member!) : this.bestWeightsAt(postings, weight, fieldWeights, best, locals));
      }
    }
    return holding;
  }

  /**
   * A common term's postings as local numbers per field (typed arrays), kept for the terms read most recently
   * within DECODED_BYTES per shard: reading lunr's postings object by object (`for … in`, a string per
   * document) was the largest cost of long queries made of common words, and common words come back from
   * query to query. Undefined for terms too rare to be worth keeping.
   */
  private decodedOf(term: string, postings: Postings): Int32Array[] | undefined {
    const kept = this.decoded.get(term);
    if (kept) {
      this.decoded.delete(term);
      this.decoded.set(term, kept);
      return kept;
    }
    if ((this.documentFrequency.get(term) ?? 0) < DECODE_MIN_DOCUMENTS) return undefined;
    const { localByOffset, firstId } = this;
    let bytes = 0;
    const decoded = FIELDS.map((field) => {
      const docs = postings[field];
      if (!docs || docs === NO_DOCUMENTS) return NO_LOCALS;
      const locals: number[] = [];
      for (const ref in docs) locals.push(localByOffset[Number(ref) - firstId]);
      bytes += locals.length * 4;
      return Int32Array.from(locals);
    });
    if (bytes > DECODED_BYTES) return decoded;
    for (const [oldest, arrays] of this.decoded) {
      if (this.decodedBytes + bytes <= DECODED_BYTES) break;
      this.decoded.delete(oldest);
      for (const array of arrays) this.decodedBytes -= array.length * 4;
    }
    this.decoded.set(term, decoded);
    this.decodedBytes += bytes;
    return decoded;
  }

  /**
   * bestWeightsAt over a term's decoded postings: only the documents marked in `member` (non-zero) are raised;
   * returns how many of them hold the term (each counted once: its mark becomes this call's stamp).
   */
  private bestWeightsAmong(decoded: Int32Array[], weight: number, fieldWeights: readonly number[], best: Float64Array, member: Float64Array): number {
    const stamp = (this.stamp += 1);
    let count = 0;
    for (let f = 0; f < F; f++) {
      const locals = decoded[f];
      const w = fieldWeights[f] * weight;
      for (let i = 0; i < locals.length; i++) {
        const local = locals[i];
        const mark = member[local];
        if (mark === 0) continue;
        if (mark !== stamp) {
          member[local] = stamp;
          count += 1;
        }
        if (best[local] < w) best[local] = w;
      }
    }
    return count;
  }

  /**
   * Like `bestWeights` without `locals` (every document holding a term is visited), and adds to `touched` the
   * documents that had no estimate yet (best 0), so the caller visits only them instead of the whole shard.
   */
  markBest(terms: ReadonlyMap<string, number>, fieldWeights: readonly number[], best: Float64Array, touched: number[]): void {
    for (const [term, weight] of terms) {
      const postings = this.inverted[term];
      if (postings) this.bestWeightsOfAll(term, postings, weight, fieldWeights, best, touched);
    }
  }

  private bestWeightsOfAll(term: string, postings: Postings, weight: number, fieldWeights: readonly number[], best: Float64Array, touched: number[] | undefined): void {
    const decoded = this.decodedOf(term, postings);
    if (decoded) {
      for (let f = 0; f < F; f++) {
        const locals = decoded[f];
        const w = fieldWeights[f] * weight;
        for (let i = 0; i < locals.length; i++) {
          const local = locals[i];
          const was = best[local];
          if (was < w) {
            if (was === 0 && touched) touched.push(local);
            best[local] = w;
          }
        }
      }
      return;
    }
    const { localByOffset, firstId } = this;
    for (let f = 0; f < F; f++) {
      const w = fieldWeights[f] * weight;
      for (const ref in postings[FIELDS[f]]) {
        const local = localByOffset[Number(ref) - firstId];
        const was = best[local];
        if (was < w) {
          if (was === 0 && touched) touched.push(local);
          best[local] = w;
        }
      }
    }
  }

  private bestWeightsAt(postings: Postings, weight: number, fieldWeights: readonly number[], best: Float64Array, locals: Int32Array): number {
    const fields = FIELDS.map((field) => postings[field]).filter((docs) => docs !== NO_DOCUMENTS);
    const weights = FIELDS.filter((field) => postings[field] !== NO_DOCUMENTS).map((field) => fieldWeights[FIELD_INDEX[field]] * weight);
    let count = 0;
    for (let i = 0; i < locals.length; i++) {
      const local = locals[i];
      const id = this.ids[local];
      let found = false;
      for (let f = 0; f < fields.length; f++) {
        if (fields[f][id] === undefined) continue;
        found = true;
        if (best[local] < weights[f]) best[local] = weights[f];
      }
      if (found) count += 1;
    }
    return count;
  }

  /**
   * Raises `best` (by local number) to `weight` for every document whose field (by number) holds the term
   * (lunr's postings), and adds to `touched` the documents that had no estimate yet (best 0).
   */
  markHolders(term: string, f: number, weight: number, best: Float64Array, touched: number[]): void {
    const postings = this.inverted[term];
    if (!postings) return;
    const { localByOffset, firstId } = this;
    for (const ref in postings[FIELDS[f]]) {
      const local = localByOffset[Number(ref) - firstId];
      if (best[local] === 0) touched.push(local);
      if (best[local] < weight) best[local] = weight;
    }
  }

  /** The fields of a document holding a term, as bits (1 << field number); 0 when none. One lookup in lunr's postings per field. */
  fieldsHolding(local: number, term: string): number {
    const postings = this.inverted[term];
    if (!postings) return 0;
    const id = this.ids[local];
    let bits = 0;
    for (let f = 0; f < F; f++) if (postings[FIELDS[f]][id] !== undefined) bits |= 1 << f;
    return bits;
  }

  /**
   * The fields of a document holding a term, as bits (1 << field number), with the term's frequency in each
   * written into `frequencies` (by field number; only for the fields holding it).
   */
  fieldFrequencies(local: number, term: string, frequencies: Float64Array): number {
    const postings = this.inverted[term];
    if (!postings) return 0;
    const id = this.ids[local];
    let bits = 0;
    for (let f = 0; f < F; f++) {
      const value = postings[FIELDS[f]][id];
      if (value === undefined) continue;
      bits |= 1 << f;
      frequencies[f] = typeof value === 'number' ? value : 1;
    }
    return bits;
  }

  /** The fields of the term's postings that hold documents, for looking up many documents (see TermFields); undefined when the shard lacks the term. */
  termFields(term: string): TermFields | undefined {
    const postings = this.inverted[term];
    if (!postings) return undefined;
    const fields: number[] = [];
    const docs: Record<string, unknown>[] = [];
    for (let f = 0; f < F; f++) {
      const held = postings[FIELDS[f]];
      if (!held || held === NO_DOCUMENTS) continue;
      fields.push(f);
      docs.push(held);
    }
    return { fields, docs };
  }

  /** Distinct terms in the field (by number) of the document with this local number. */
  fieldLengthAt(local: number, f: number): number {
    return this.lengths[local * F + f];
  }

  /** Sum and count of the lengths of each field over the documents that have it (a missing accepted answer is not a short one). */
  fieldLengthTotals(): { sums: number[]; counts: number[] } {
    if (!this.totals) {
      const sums = new Array<number>(F).fill(0);
      const counts = new Array<number>(F).fill(0);
      for (let i = 0; i < this.lengths.length; i++) {
        if (this.lengths[i] === 0) continue;
        sums[i % F] += this.lengths[i];
        counts[i % F] += 1;
      }
      this.totals = { sums, counts };
    }
    return this.totals;
  }
}
