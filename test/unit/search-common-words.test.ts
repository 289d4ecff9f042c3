// Long queries made of common words: candidates are chosen by an estimate over the postings of every word
// (engine.ts, MaxScore), and shards keep common terms' postings decoded as typed arrays (shard.ts). These
// tests check that the decoded postings answer exactly what lunr's postings answer, and that the candidate
// cut keeps the documents that match best, hides stale ones and counts matches as a lower bound.
import { describe, expect, it } from 'vitest';
import { FIELDS, FIELD_WEIGHTS, toIndexedDoc, type IndexedDoc } from '../../src/features/search/documents.ts';
import { SearchIndex } from '../../src/features/search/engine.ts';
import { Shard } from '../../src/features/search/shard.ts';
import { stem } from '../../src/features/search/text.ts';

function post(id: number, title: string, body = '', answers: string[] = []): IndexedDoc {
  return toIndexedDoc(
    { id, title, body_md: body, language: 'en', score: 0, answer_count: answers.length, accepted_answer_id: null },
    answers.map((text, i) => ({ question_id: id, id: id * 10 + i, body_md: text, official: 0 })),
    [],
  );
}

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const WORDS = ['harvest', 'pumpkin', 'lantern', 'cellar', 'copper', 'meadow'];

/** Documents where each of WORDS is, at random, in the title, the body, an answer or nowhere (each common). */
function commonDocs(from: number, count: number, seed: number): IndexedDoc[] {
  const next = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const title: string[] = [`topic${from + i}`];
    const body: string[] = ['some text'];
    const answer: string[] = ['an answer'];
    for (const word of WORDS) {
      const r = next();
      if (r < 0.1) title.push(word);
      else if (r < 0.45) body.push(word);
      else if (r < 0.7) answer.push(word, word);
    }
    return post(from + i, title.join(' '), body.join(' '), [answer.join(' ')]);
  });
}

const weights = FIELDS.map((field) => FIELD_WEIGHTS[field]);

describe('decoded postings of common terms', () => {
  const docs = commonDocs(1, 3_000, 7);
  const shard = Shard.fromDocs(docs, 1, 3_000, 0);
  const term = stem('harvest', 'en');

  /** What bestWeights finds for `term`, from lunr's postings document by document. */
  function expected(locals: number[]): { best: Float64Array; holding: number } {
    const best = new Float64Array(shard.size);
    let holding = 0;
    for (const local of locals) {
      const bits = shard.fieldsHolding(local, term);
      if (bits) holding += 1;
      for (let f = 0; f < FIELDS.length; f++) if (bits & (1 << f)) best[local] = Math.max(best[local], weights[f] * 0.5);
    }
    return { best, holding };
  }

  it('is common enough to be decoded here', () => {
    expect(shard.documentFrequency.get(term)).toBeGreaterThan(1_000);
  });

  it('gives every holder its best field weight, and lists each holder once, the first and the second time', () => {
    const all = Array.from({ length: shard.size }, (_, local) => local);
    const want = expected(all);
    for (let round = 0; round < 2; round++) {
      const best = new Float64Array(shard.size);
      const touched: number[] = [];
      shard.markBest(new Map([[term, 0.5]]), weights, best, touched);
      expect([...best]).toEqual([...want.best]);
      expect(touched.length).toBe(want.holding);
      expect(new Set(touched).size).toBe(touched.length);
    }
  });

  it('looks some documents up the same way through lunr and through the decoded postings', () => {
    const next = random(3);
    const locals = Int32Array.from(Array.from({ length: shard.size }, (_, local) => local).filter(() => next() < 0.3));
    const want = expected([...locals]);
    const member = new Float64Array(shard.size);
    for (const local of locals) member[local] = 1;
    const viaLunr = new Float64Array(shard.size);
    const viaDecoded = new Float64Array(shard.size);
    const terms = new Map([[term, 0.5]]);
    expect(shard.bestWeights(terms, weights, viaLunr, locals)).toEqual([want.holding]);
    expect(shard.bestWeights(terms, weights, viaDecoded, locals, member)).toEqual([want.holding]);
    // A second term in the same call counts its own holders (the marks of the first do not hide them).
    const both = new Map([[term, 0.5], [stem('meadow', 'en'), 0.5]]);
    const holding = shard.bestWeights(both, weights, new Float64Array(shard.size), locals, member);
    expect(holding).toEqual(shard.bestWeights(both, weights, new Float64Array(shard.size), locals));
    expect([...viaDecoded]).toEqual([...want.best]);
    expect([...viaLunr]).toEqual([...want.best]);
  });
});

describe('long queries of common words', () => {
  // 6,000 questions in two shards: each word is in about 70 % of them, so even the rarest is far above the
  // postings budget (2,500) and candidates are chosen by estimate. Five questions hold every word in their
  // title, body and answer.
  const docs = [...commonDocs(1, 3_000, 11), ...commonDocs(3_001, 3_000, 12)];
  const best = [101, 1_202, 2_999, 4_004, 5_555];
  for (const id of best) docs[id - 1] = post(id, `${WORDS.join(' ')} guide`, `some text ${WORDS.join(' ')}`, [`an answer ${WORDS.join(' ')} ${WORDS.join(' ')}`]);
  const build = () => {
    const index = new SearchIndex();
    index.setShards([Shard.fromDocs(docs.slice(0, 3_000), 1, 3_000, 0), Shard.fromDocs(docs.slice(3_000), 3_001, 6_000, 0)]);
    return index;
  };
  const query = WORDS.join(' ');

  it('ranks the questions holding every word everywhere first, the same on a cold and a warm index', () => {
    const index = build();
    const cold = index.search({ query, limit: 50 });
    expect(cold.hits.slice(0, 5).map((h) => h.id).sort((a, b) => a - b)).toEqual(best);
    const warm = index.search({ query, limit: 50 });
    expect(warm.hits.map((h) => [h.id, h.score])).toEqual(cold.hits.map((h) => [h.id, h.score]));
    expect(warm.total).toBe(cold.total);
    expect(cold.hits[0].terms.sort()).toEqual(WORDS.map((w) => stem(w, 'en')).sort());
  });

  it('counts matches as a lower bound of the questions holding any word, never fewer than the hits', () => {
    const index = build();
    const holders = docs.filter((doc) => WORDS.some((w) => Object.values(doc.fields).some((terms) => terms.includes(stem(w, 'en'))))).length;
    const result = index.search({ query, limit: 500 });
    expect(result.total).toBeLessThanOrEqual(holders);
    expect(result.total).toBeGreaterThanOrEqual(result.hits.length);
    // At least the commonest word's holders.
    const commonest = Math.max(...WORDS.map((w) => docs.filter((doc) => Object.values(doc.fields).some((terms) => terms.includes(stem(w, 'en')))).length));
    expect(result.total).toBeGreaterThanOrEqual(commonest);
  });

  it('never answers with a deleted question or an old version, after the postings were decoded', () => {
    const index = build();
    index.search({ query, limit: 50 });
    index.applyChanges([post(1_202, 'renamed entirely', 'nothing left')], [2_999]);
    const ids = index.search({ query, limit: 50 }).hits.map((h) => h.id);
    expect(ids).not.toContain(1_202);
    expect(ids).not.toContain(2_999);
    expect(ids.slice(0, 3).sort((a, b) => a - b)).toEqual([101, 4_004, 5_555]);
  });
});
