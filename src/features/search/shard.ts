// Owns one piece of the search index: a compact inverted index over a range of questions, with the
// vocabulary and document frequencies the query planner needs, serializable to a file.
//
// Why not lunr's own index: the engine never used lunr's scores, only which terms matched which fields,
// and lunr keeps a JavaScript object per posting plus a vector per field of every document (≈ 30 KB a
// question once loaded: 100,000 questions would not fit in the memory budget, and took minutes to build).
// Here a shard is a handful of typed arrays: per term and field, the sorted local numbers of the documents
// that hold it. lunr (lunr-languages) still provides the stemmers and stop words (text.ts).
import { FIELDS, type DocMeta, type Field, type IndexedDoc } from './documents.ts';

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
  /** Sorted vocabulary. */
  terms: string[];
  /** Per term: documents holding it in any field. */
  df: Int32Array;
  /** Per term and field (term * FIELDS.length + field): where its postings start; one more entry at the end. */
  offsets: Int32Array;
  /** Local document numbers, increasing within each term and field. */
  postings: Int32Array;
  /** Per document and field (local * FIELDS.length + field): distinct terms in that field. */
  lengths: Uint16Array;
}

/** Bump when tokenization, fields or the file layout change: persisted shards of another format are rebuilt. */
export const SHARD_FORMAT = 2;

/** Builds the inverted index of some documents (any order; they are sorted by id). */
export function shardFile(docs: IndexedDoc[], fromId: number, toId: number, changeId: number): ShardFile {
  const sorted = [...docs].sort((a, b) => a.meta.id - b.meta.id);
  const n = sorted.length;
  // term → per field, the local numbers of the documents holding it (pushed in order, so sorted).
  const byTerm = new Map<string, number[][]>();
  const lengths = new Uint16Array(n * F);
  let total = 0;
  for (let local = 0; local < n; local++) {
    const fields = sorted[local].fields;
    for (let f = 0; f < F; f++) {
      let distinct = 0;
      for (const term of fields[FIELDS[f]]) {
        let lists = byTerm.get(term);
        if (!lists) byTerm.set(term, (lists = Array.from({ length: F }, () => [])));
        const list = lists[f];
        if (list[list.length - 1] === local) continue; // a term repeated in a field counts once
        list.push(local);
        distinct += 1;
      }
      lengths[local * F + f] = Math.min(distinct, 0xffff);
      total += distinct;
    }
  }
  const terms = [...byTerm.keys()].sort();
  const df = new Int32Array(terms.length);
  const offsets = new Int32Array(terms.length * F + 1);
  const postings = new Int32Array(total);
  const seen = new Int32Array(n).fill(-1);
  let at = 0;
  terms.forEach((term, t) => {
    const lists = byTerm.get(term)!;
    let count = 0;
    for (let f = 0; f < F; f++) {
      offsets[t * F + f] = at;
      for (const local of lists[f]) {
        postings[at++] = local;
        if (seen[local] !== t) {
          seen[local] = t;
          count += 1;
        }
      }
    }
    df[t] = count;
  });
  offsets[terms.length * F] = at;
  return { format: SHARD_FORMAT, fromId, toId, changeId, metas: sorted.map((d) => d.meta), terms, df, offsets, postings, lengths };
}

/** Term lookups of a shard: document frequency of a term, and whether the shard has it at all. */
export interface TermFrequencies {
  get(term: string): number | undefined;
  has(term: string): boolean;
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
  private readonly termIndex = new Map<string, number>();
  private readonly ids: Int32Array;
  private readonly df: Int32Array;
  private readonly offsets: Int32Array;
  private readonly postings: Int32Array;
  private readonly lengths: Uint16Array;
  private averages: Record<Field, number> | undefined;
  private lastId = -1;
  private lastLocal = -1;

  constructor(file: ShardFile) {
    this.fromId = file.fromId;
    this.toId = file.toId;
    this.changeId = file.changeId;
    this.metas = file.metas;
    this.vocabulary = file.terms;
    this.df = file.df;
    this.offsets = file.offsets;
    this.postings = file.postings;
    this.lengths = file.lengths;
    this.ids = Int32Array.from(file.metas, (m) => m.id);
    for (let t = 0; t < file.terms.length; t++) this.termIndex.set(file.terms[t], t);
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
    return new Shard(file);
  }

  static fromDocs(docs: IndexedDoc[], fromId: number, toId: number, changeId: number): Shard {
    return new Shard(shardFile(docs, fromId, toId, changeId));
  }

  get size(): number {
    return this.metas.length;
  }

  /** The local number of a document of this shard, or -1. */
  private localOf(id: number): number {
    // Ranking asks about one candidate many times in a row (each term, each field).
    if (id === this.lastId) return this.lastLocal;
    this.lastId = id;
    this.lastLocal = this.searchId(id);
    return this.lastLocal;
  }

  private searchId(id: number): number {
    const ids = this.ids;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = ids[mid];
      if (value === id) return mid;
      if (value < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
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
   * swapped), most frequent first. Each such spelling is looked up: a few hundred hash lookups per shard,
   * no automaton to keep in memory.
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
   * The documents holding any of the terms, and which terms matched in which fields. Ranking is done by
   * the caller with global statistics.
   */
  match(terms: string[]): { id: number; fields: Record<string, string[]> }[] {
    const slots: (Record<string, string[]> | undefined)[] = new Array(this.ids.length);
    const touched: number[] = [];
    for (const term of terms) {
      const t = this.termIndex.get(term);
      if (t === undefined) continue;
      for (let f = 0; f < F; f++) {
        const field = FIELDS[f];
        const end = this.offsets[t * F + f + 1];
        for (let p = this.offsets[t * F + f]; p < end; p++) {
          const local = this.postings[p];
          let fields = slots[local];
          if (!fields) {
            slots[local] = fields = {};
            touched.push(local);
          }
          (fields[field] ??= []).push(term);
        }
      }
    }
    return touched.map((local) => ({ id: this.ids[local], fields: slots[local]! }));
  }

  /** The id of the document with this local number. */
  idAt(local: number): number {
    return this.ids[local];
  }

  /**
   * A cheap estimate of each document's relevance, for choosing candidates when the postings are too many
   * to rank them all: per group of terms (a query word's variants), the best field weight × term weight
   * among the group's terms the document holds, times the group's idf, summed over groups. Indexed by
   * local number; 0 for documents that hold none of the terms. One pass over typed arrays per posting.
   */
  estimate(groups: { terms: ReadonlyMap<string, number>; idf: number }[], fieldWeights: readonly number[]): Float64Array {
    const n = this.ids.length;
    const total = new Float64Array(n);
    const best = new Float64Array(n);
    for (const group of groups) {
      let touched = false;
      for (const [term, weight] of group.terms) {
        const t = this.termIndex.get(term);
        if (t === undefined) continue;
        for (let f = 0; f < F; f++) {
          const w = fieldWeights[f] * weight;
          const end = this.offsets[t * F + f + 1];
          for (let p = this.offsets[t * F + f]; p < end; p++) {
            const local = this.postings[p];
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

  /** Whether a document's field holds a term (binary search in the term's postings for that field). */
  has(id: number, field: Field, term: string): boolean {
    const t = this.termIndex.get(term);
    if (t === undefined) return false;
    const local = this.localOf(id);
    if (local < 0) return false;
    const f = FIELD_INDEX[field];
    let lo = this.offsets[t * F + f];
    let hi = this.offsets[t * F + f + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = this.postings[mid];
      if (value === local) return true;
      if (value < local) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Distinct terms in a document's field (0 when the shard does not hold the document). */
  fieldLength(id: number, field: Field): number {
    const local = this.localOf(id);
    return local < 0 ? 0 : this.lengths[local * F + FIELD_INDEX[field]];
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
