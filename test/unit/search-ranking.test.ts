// Search normalization and ranking details found with the labelled queries of bench/search-quality.ts:
// possessives and contractions, accent-folded Spanish stop words, British spellings, doubled-letter
// typos that the corpus repeats, stems of the other language, and how matches add up.
import { describe, expect, it } from 'vitest';
import { toIndexedDoc, type IndexedDoc } from '../../src/features/search/documents.ts';
import { SearchIndex } from '../../src/features/search/engine.ts';
import { Shard } from '../../src/features/search/shard.ts';
import { doubledLetterSpellings, isStopWord, stem, tokenize, type SearchLanguage } from '../../src/features/search/text.ts';

let nextAnswerId = 1;
function post(id: number, title: string, body = '', language: SearchLanguage = 'en', answers: string[] = []): IndexedDoc {
  return toIndexedDoc(
    { id, title, body_md: body, language, score: 0, answer_count: answers.length, accepted_answer_id: null },
    answers.map((text) => ({ question_id: id, id: nextAnswerId++, body_md: text, official: 0 })),
    [],
  );
}

function indexOf(docs: IndexedDoc[]): SearchIndex {
  const index = new SearchIndex();
  index.setShards([Shard.fromDocs(docs, 1, 1_000, 0)]);
  return index;
}

const ids = (index: SearchIndex, query: string) => index.search({ query }).hits.map((h) => h.id);
const filler = (from: number, count: number, title: string) => Array.from({ length: count }, (_, i) => post(from + i, `${title} ${i}`, 'Nothing to see here.'));

describe('text normalization', () => {
  it("drops the English 's, so possessives meet their word and what's is a stop word", () => {
    expect(tokenize("What's the beer's ABV?")).toEqual(['what', 'the', 'beer', 'abv']);
    expect(tokenize('Guinness’s widget')).toEqual(['guinness', 'widget']);
  });

  it('knows the folded spellings of accented Spanish stop words and apostrophe-less contractions', () => {
    for (const word of ['mas', 'tambien', 'si', 'estan', 'whats', 'dont', 'doesnt', 'vs']) expect(isStopWord(word), word).toBe(true);
    for (const word of ['beer', 'factura', 'wifi', 'router', 'sim']) expect(isStopWord(word), word).toBe(false);
  });

  it('stems British and American spellings of an English word alike', () => {
    for (const [british, american] of [
      ['flavour', 'flavor'],
      ['flavours', 'flavors'],
      ['fibre', 'fiber'],
      ['litres', 'liters'],
      ['organise', 'organize'],
      ['analysed', 'analyzed'],
      ['aluminium', 'aluminum'],
      ['draught', 'draft'],
    ]) {
      expect(stem(british, 'en'), british).toBe(stem(american, 'en'));
    }
    // Short words that end the same way are left alone.
    expect(stem('hour', 'en')).not.toBe(stem('hor', 'en'));
    expect(stem('store', 'en')).toBe('store');
  });

  it('spells a word with a letter doubled or undoubled', () => {
    expect(doubledLetterSpellings('guiness')).toContain('guinness');
    expect(doubledLetterSpellings('wiffi')).toContain('wifi');
    expect(doubledLetterSpellings('wiffi')).not.toContain('wiffi');
  });
});

describe('ranking', () => {
  it('corrects a rare misspelling when one doubled letter away is a much commoner word', () => {
    const docs = [
      post(1, 'Why does Guinness have a special pouring process?', 'The two-part pour of a stout.'),
      post(2, 'Guiness in South-East Asia', 'Why is it everywhere there?'),
      ...Array.from({ length: 8 }, (_, i) => post(10 + i, `Guinness question ${i}`, 'About Guinness.')),
      ...filler(30, 20, 'Unrelated lager'),
    ];
    expect(ids(indexOf(docs), 'guiness pouring')[0]).toBe(1);
    // The misspelled question is still found by its own spelling.
    expect(ids(indexOf(docs), 'guiness')).toContain(2);
  });

  it("counts a query word's stem from the other language as a weak match only", () => {
    // The Spanish stem of "wine" is "win": an English question about winning is no match for wine.
    const docs = [post(1, 'How to win a beer tasting contest', 'Tips to win.'), post(2, 'Which wine goes with a spicy stew?', 'A wine question.'), ...filler(10, 10, 'Other')];
    expect(ids(indexOf(docs), 'wine')[0]).toBe(2);
    const index = indexOf(docs);
    const [first, second] = index.search({ query: 'wine' }).hits;
    expect(first.id).toBe(2);
    if (second) expect(second.score).toBeLessThan(first.score / 2);
  });

  it('weights the words matched by what they are worth: the rare ones decide', () => {
    const docs = [
      post(1, 'Is Corona good with a slice of lime?', 'Corona and lime.'),
      post(2, 'What style of lager is Corona?', 'People put it in a fridge, people put it everywhere.'),
      ...Array.from({ length: 20 }, (_, i) => post(10 + i, `Question ${i} people ask`, 'Why do people put beer in the fridge?')),
    ];
    expect(ids(indexOf(docs), 'why do people put lime in corona')[0]).toBe(1);
  });

  it('adds up the fields a word is found in, and prefers a short field to a long one', () => {
    const docs = [
      post(1, 'Router keeps rebooting', 'Nothing else.'),
      post(2, 'Router keeps rebooting', 'The router reboots at night; the router is new.'),
      post(3, 'Something else entirely', `${'filler words here '.repeat(60)} router`),
      post(4, 'Something else again', 'router'),
      ...filler(10, 10, 'Other'),
    ];
    const ranked = ids(indexOf(docs), 'router');
    expect(ranked.slice(0, 2)).toEqual([2, 1]);
    expect(ranked.indexOf(4)).toBeLessThan(ranked.indexOf(3));
  });
});

describe('a shard answers with lunr’s own query', () => {
  const docs = [
    post(1, 'Router drops wifi at night', 'The router restarts.'),
    post(2, 'Modem light blinks', 'Nothing about the other thing.', 'en', ['Restart the router first.']),
    post(3, 'Routers compared', 'Which one to buy?'),
  ];
  const shard = Shard.fromDocs(docs, 1, 1_000, 0);
  const matches = (terms: string[]) => {
    const found = new Set<number>();
    shard.forEachMatch(terms, (local) => found.add(shard.idAt(local)));
    return [...found].sort();
  };
  /** Documents whose indexed fields hold a term, read from what was given to lunr. */
  const holders = (t: string) => docs.filter((d) => Object.values(d.fields).some((terms) => terms.includes(t))).map((d) => d.meta.id);

  it('finds every document holding a term in any field, exact terms only', () => {
    for (const t of ['router', 'blink', 'restart', 'wifi']) expect(matches([t]), t).toEqual(holders(t));
    expect(matches(['router'])).toContain(2); // only in an answer
    expect(matches(['blink'])).toEqual([2]);
    expect(matches(['rout'])).toEqual([]); // no prefix expansion inside lunr: the planner does that
    expect(matches(['nosuchterm', 'blink'])).toEqual([2]);
    expect(matches([])).toEqual([]);
  });

  it('survives a save and a load (the token set and vectors lunr needs are made on load)', async () => {
    const { shardFile } = await import('../../src/features/search/shard.ts');
    const loaded = Shard.fromFile(JSON.parse(JSON.stringify(shardFile(docs, 1, 1_000, 0))));
    const found: number[] = [];
    loaded.forEachMatch(['blink', 'wifi'], (local) => found.push(loaded.idAt(local)));
    expect(found.sort()).toEqual([1, 2]);
  });
});

describe('replies saturate together', () => {
  // Both threads are about trappist beer. The first names both query words in its title and mentions them in
  // its replies; the second names one in its title, and its accepted answer and its other answer both keep
  // repeating "trappist". Saturated once per kind of reply, that repetition counted twice and outweighed the
  // title; the replies are one field for saturation now (engine.ts, REPLY_FIELDS).
  const withAccepted = (id: number, title: string, body: string, accepted: string, others: string[]) =>
    toIndexedDoc(
      { id, title, body_md: body, language: 'en', score: 0, answer_count: others.length + 1, accepted_answer_id: id * 100 },
      [accepted, ...others].map((text, i) => ({ question_id: id, id: i === 0 ? id * 100 : id * 100 + i, body_md: text, official: 0 })),
      [],
    );
  const trappist = Array.from({ length: 6 }, () => 'trappist').join(' ');
  const titled = withAccepted(2, 'Difference between trappist and abbey beer', 'Are they the same thing or not really?', 'Abbey beer is brewed in the style, trappist beer by monks.', ['Trappist beer comes from a monastery of monks.']);
  const repeated = withAccepted(3, 'Why are enkel trappist beers not sold', 'Can you buy them only at the monastery?', `${trappist} beers, and abbey too: the enkel is for the monks themselves`, [`${trappist} and abbey, the brothers drink it at the monastery every day`]);
  const cider = Array.from({ length: 30 }, (_, i) => withAccepted(10 + i, `Unrelated cider question ${i}`, 'Nothing here about it.', 'Cider is made of apples.', ['A reply about apples and pears.']));

  it('ranks a thread naming the query in its title above one whose replies repeat one of its words', () => {
    expect(ids(indexOf([titled, repeated, ...cider]), 'abbey trappist').slice(0, 2)).toEqual([2, 3]);
  });

  it('still counts the repetition: the repeating thread is first for the word it repeats, and above one that says it once', () => {
    const once = withAccepted(4, 'Why are enkel trappist beers not sold', 'Can you buy them only at the monastery?', 'Trappist beers, and abbey too: the enkel is for the monks themselves', ['And abbey, the brothers drink it at the monastery every day']);
    expect(ids(indexOf([titled, repeated, once, ...cider]), 'trappist enkel').slice(0, 2)).toEqual([3, 4]);
  });
});

describe('term frequency', () => {
  // Same title, bodies of about the same length: only how often the body comes back to "firmware" differs (the
  // post that repeats it is the older one, so a tie would put it second).
  const once = post(2, 'Router keeps dropping', 'The firmware was updated last week and since then the lights blink at night.');
  const often = post(1, 'Router keeps dropping', 'Firmware updated, firmware rolled back, firmware updated again: the lights blink at night.');
  const docs = [once, often, ...filler(10, 20, 'Unrelated printer question')];

  it('keeps how many times each kept term occurs in a field', () => {
    const firmware = often.fields.body.indexOf('firmwar');
    expect(firmware).toBeGreaterThanOrEqual(0);
    expect(often.frequencies?.body?.[firmware]).toBe(3);
    expect(once.frequencies?.body).toBeUndefined(); // every term once: nothing stored
  });

  it('ranks a post that keeps coming back to a word above one that mentions it once', () => {
    expect(ids(indexOf(docs), 'firmware router').slice(0, 2)).toEqual([1, 2]);
  });

  it('survives a save and a load, and lunr still answers the query', async () => {
    const { shardFile } = await import('../../src/features/search/shard.ts');
    const loaded = Shard.fromFile(JSON.parse(JSON.stringify(shardFile(docs, 1, 1_000, 0))));
    const index = new SearchIndex();
    index.setShards([loaded]);
    expect(index.search({ query: 'firmware router' }).hits.map((h) => h.id).slice(0, 2)).toEqual([1, 2]);
    const frequencies = new Float64Array(8);
    const local = loaded.metas.findIndex((m) => m.id === 1);
    expect(loaded.fieldFrequencies(local, 'firmwar', frequencies)).not.toBe(0);
    expect(Math.max(...frequencies)).toBe(3);
  });
});
