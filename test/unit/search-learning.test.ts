// What search learns beyond a question's own words: duplicates' titles on their original (and duplicate hits
// leading to it), joined words met whichever way they are written, and the popularity prior.
import { describe, expect, it } from 'vitest';
import { toIndexedDoc, type IndexedDoc } from '../../src/features/search/documents.ts';
import { SearchIndex } from '../../src/features/search/engine.ts';
import { Shard } from '../../src/features/search/shard.ts';
import { tokenize, words } from '../../src/features/search/text.ts';

let nextAnswerId = 1;
function post(id: number, title: string, body = 'Nothing else to say here.', extra: { duplicateOf?: number; duplicateTitles?: string[] } = {}): IndexedDoc {
  return toIndexedDoc(
    { id, title, body_md: body, language: 'en', score: 0, answer_count: 0, accepted_answer_id: null, status: extra.duplicateOf ? 'closed' : 'open', duplicate_of_id: extra.duplicateOf ?? null },
    [],
    [],
    extra.duplicateTitles ?? [],
  );
}
const filler = (from: number, count: number) => Array.from({ length: count }, (_, i) => post(from + i, `Unrelated question number ${i}`, 'About something else entirely.'));

function indexOf(docs: IndexedDoc[]): SearchIndex {
  const index = new SearchIndex();
  index.setShards([Shard.fromDocs(docs, 1, 1_000, 0)]);
  return index;
}
const ids = (index: SearchIndex, query: string) => index.search({ query }).hits.map((h) => h.id);

describe('duplicates teach search', () => {
  it('finds an original by the title of its duplicate (alternate title), and lists the original instead of the duplicate', () => {
    const index = indexOf([
      post(1, 'Router drops the connection every evening', 'The wireless goes away at night.', { duplicateTitles: ['Television streaming stutters after supper'] }),
      post(2, 'Television streaming stutters after supper', 'Buffering all the time.', { duplicateOf: 1 }),
      ...filler(10, 30),
    ]);
    expect(ids(index, 'television streaming stutters')).toEqual([1]);
    expect(ids(index, 'buffering')).toEqual([1]);
    // A filter or an exclusion applies to the original the hit leads to.
    expect(index.search({ query: 'buffering', excludeId: 1 }).hits).toEqual([]);
  });

  it('keeps a duplicate as it is when learning is off (no original named)', () => {
    const index = indexOf([post(1, 'Router drops the connection every evening'), post(2, 'Television streaming stutters after supper'), ...filler(10, 30)]);
    expect(ids(index, 'television streaming stutters')).toEqual([2]);
  });
});

describe('joined words', () => {
  it('indexes a joined word as itself and as its parts', () => {
    expect(tokenize('wi-fi e-mail v2.3 context-free RT-AC68U', Infinity, true)).toEqual(['wifi', 'wi', 'fi', 'email', 'mail', 'v23', 'v2', 'contextfree', 'context', 'free', 'rtac68u', 'rt', 'ac68u']);
    // Apostrophes join but never split (don't is not "don" + "t").
    expect(tokenize("don't wi-fi", Infinity, true)).toEqual(['dont', 'wifi', 'wi', 'fi']);
    expect(tokenize('wi-fi')).toEqual(['wifi']);
    expect(words('bikes.stackexchange.com v2.3')).toEqual([
      { token: 'bikesstackexchangecom', parts: ['bikes', 'stackexchange', 'com'] },
      { token: 'v23', parts: ['v2'] },
    ]);
  });

  it('searches a joined word the index does not hold as its parts, and one it holds whole', () => {
    const index = indexOf([
      post(1, 'Is this grammar context free?'),
      post(2, 'Please redirect the bikes domain'),
      post(3, 'Firmware for the RT-AC68U'),
      post(4, 'Firmware for the AC68 router'),
      ...filler(10, 30),
    ]);
    // Nobody wrote "context-free" or the address: their parts meet the questions that wrote them apart.
    expect(ids(index, 'context-free')).toEqual([1]);
    expect(ids(index, 'bikes.example.com')).toEqual([2]);
    // A code the index holds stays whole: its parts do not bring in other firmware questions.
    expect(ids(index, 'RT-AC68U')).toEqual([3]);
    // Parts never make a query longer than its word limit (24 words), however many joiners it holds.
    const hostile = Array.from({ length: 30 }, (_, i) => `ab-cd-ef-gh-ij-kl-mn-op-qr-st-uv-w${i}`).join(' ');
    expect(index.plan(hostile, false).length).toBeLessThanOrEqual(24);
    expect(index.search({ query: hostile }).hits).toEqual([]);
  });

  it('meets wifi, wi-fi and wi fi whichever way the question and the query write it', () => {
    const index = indexOf([post(1, 'The wi-fi keeps dropping'), post(2, 'My wifi keeps dropping'), post(3, 'Printer jams on thick paper'), ...filler(10, 30)]);
    for (const query of ['wifi', 'wi-fi', 'wi fi', 'Wi Fi dropping']) expect(ids(index, query).sort(), query).toEqual([1, 2]);
    const grammar = indexOf([post(1, 'Is this grammar context-free?'), post(2, 'Context of a free lunch'), ...filler(10, 30)]);
    expect(ids(grammar, 'context free grammar')[0]).toBe(1);
    expect(ids(grammar, 'contextfree')).toEqual([1]);
  });

  it('still matches product codes exactly', () => {
    const index = indexOf([post(1, 'Firmware for the RT-AC68U'), post(2, 'Firmware for the RT-AC66U'), ...filler(10, 30)]);
    expect(ids(index, 'RT-AC68U')).toEqual([1]);
    expect(ids(index, 'rtac68u')).toEqual([1]);
  });
});

describe('popularity prior', () => {
  const DAY = 86_400_000;
  const now = Date.now();
  function viewed(id: number, title: string, views: number, source: string): IndexedDoc {
    const doc = post(id, title, 'Same words in every body here.');
    return { ...doc, meta: { ...doc.meta, views, createdAt: now - 100 * DAY, source } };
  }

  it('lifts a much-viewed question among equal matches, modestly, and compares views within their source', () => {
    const docs = [
      viewed(1, 'Printer offline after update', 10, ''),
      viewed(2, 'Printer offline after update', 400, ''),
      // Imported questions counted views on another scale: thousands are ordinary there.
      ...Array.from({ length: 20 }, (_, i) => viewed(100 + i, `Imported question about gardens ${i}`, 50_000, 'garden.stackexchange.com')),
      viewed(3, 'Printer offline after update', 50_000, 'garden.stackexchange.com'),
      ...Array.from({ length: 20 }, (_, i) => viewed(200 + i, `Local question about billing ${i}`, 5, '')),
    ];
    const index = indexOf(docs);
    const hits = index.search({ query: 'printer offline after update' }).hits;
    // The imported question has 125 times the views, but only an ordinary count for its source.
    expect(hits[0].id).toBe(2);
    expect(hits.map((h) => h.id).sort()).toEqual([1, 2, 3]);
    // Capped: the most viewed question's score is at most 1.6 times an equal match's.
    const score = (id: number) => hits.find((h) => h.id === id)!.score;
    expect(score(2) / score(1)).toBeGreaterThan(1);
    expect(score(2) / score(1)).toBeLessThanOrEqual(1.6 + 1e-9);
  });
});
