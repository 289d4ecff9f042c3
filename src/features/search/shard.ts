// Owns one piece of the search index: a lunr index over a range of questions, with the vocabulary and
// document frequencies the query planner needs, serializable to a file.
import type lunrTypes from 'lunr';
import { FIELDS, type DocMeta, type IndexedDoc } from './documents.ts';
import { lunr } from './lunr.ts';

export interface ShardFile {
  format: number;
  fromId: number;
  toId: number;
  /** The search change log position the shard reflects: changes after it are not in this shard. */
  changeId: number;
  metas: DocMeta[];
  index: object;
}

/** Bump when tokenization or fields change: persisted shards of another format are rebuilt. */
export const SHARD_FORMAT = 1;

export function buildLunrIndex(docs: IndexedDoc[]): lunrTypes.Index {
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

export function shardFile(docs: IndexedDoc[], fromId: number, toId: number, changeId: number): ShardFile {
  return { format: SHARD_FORMAT, fromId, toId, changeId, metas: docs.map((d) => d.meta), index: buildLunrIndex(docs).toJSON() };
}

type InvertedIndex = Record<string, Record<string, unknown> & { _index: number }>;

export class Shard {
  readonly index: lunrTypes.Index;
  /** Sorted vocabulary, for prefix expansion by binary search. */
  readonly vocabulary: string[];
  /** Documents containing each term (in any field). */
  readonly documentFrequency = new Map<string, number>();
  readonly ids: Set<number>;

  constructor(
    index: lunrTypes.Index,
    readonly fromId: number,
    readonly toId: number,
    readonly changeId: number,
    readonly metas: DocMeta[],
  ) {
    this.index = index;
    this.ids = new Set(metas.map((m) => m.id));
    const inverted = (index as unknown as { invertedIndex: InvertedIndex }).invertedIndex;
    this.vocabulary = Object.keys(inverted).sort();
    for (const term of this.vocabulary) {
      const posting = inverted[term];
      let df = 0;
      for (const field of FIELDS) {
        const docs = posting[field] as Record<string, unknown> | undefined;
        if (docs) df = Math.max(df, Object.keys(docs).length);
      }
      this.documentFrequency.set(term, df);
    }
  }

  static fromFile(file: ShardFile): Shard {
    return new Shard(lunr.Index.load(file.index), file.fromId, file.toId, file.changeId, file.metas);
  }

  static fromDocs(docs: IndexedDoc[], fromId: number, toId: number, changeId: number): Shard {
    return new Shard(buildLunrIndex(docs), fromId, toId, changeId, docs.map((d) => d.meta));
  }

  get size(): number {
    return this.metas.length;
  }

  /** Vocabulary terms starting with `prefix`, most frequent first. */
  withPrefix(prefix: string, limit: number): string[] {
    let lo = 0;
    let hi = this.vocabulary.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vocabulary[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: string[] = [];
    for (let i = lo; i < this.vocabulary.length && this.vocabulary[i].startsWith(prefix); i++) found.push(this.vocabulary[i]);
    if (found.length <= limit) return found;
    return found.sort((a, b) => (this.documentFrequency.get(b) ?? 0) - (this.documentFrequency.get(a) ?? 0)).slice(0, limit);
  }

  /** Vocabulary terms within one edit of `term` (lunr's Levenshtein automaton over the shard's token set). */
  withinOneEdit(term: string): string[] {
    const tokenSet = (this.index as unknown as { tokenSet: lunrTypes.TokenSet }).tokenSet;
    const fuzzy = (lunr.TokenSet as unknown as { fromFuzzyString: (s: string, d: number) => lunrTypes.TokenSet }).fromFuzzyString(term, 1);
    return tokenSet.intersect(fuzzy).toArray();
  }

  /**
   * Runs a query of concrete terms through lunr and returns, per matching document, which terms
   * matched in which fields. Ranking is done by the caller with global statistics.
   */
  match(terms: string[]): { id: number; fields: Record<string, string[]> }[] {
    if (terms.length === 0) return [];
    const results = this.index.query((query) => {
      for (const term of terms) query.term(term, { usePipeline: false, wildcard: lunr.Query.wildcard.NONE });
    });
    return results.map((result) => {
      const fields: Record<string, string[]> = {};
      const metadata = result.matchData.metadata as Record<string, Record<string, unknown>>;
      for (const term of Object.keys(metadata)) {
        for (const field of Object.keys(metadata[term])) (fields[field] ??= []).push(term);
      }
      return { id: Number(result.ref), fields };
    });
  }
}
