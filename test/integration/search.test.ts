// Search through the real app on a real SQLite file: ranking in English and Spanish (stems, accents,
// typos, prefixes, synonyms, field weights), filters and pages, the JSON shapes of API.md, hostile input
// on every search entry point, results markup, and freshness after every kind of write.
import { count, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questions, searchChanges } from '../../src/db/schema.ts';
import { setOfficial } from '../../src/features/answers/service.ts';
import { settingDefinitions } from '../../src/features/settings/definitions.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { BLNS, encodeSegment, inBatches, nextIp, scriptTags, show } from '../fixtures/hostile.ts';
import { buildTestApp, loginAs, tokenFor, type TestApp } from '../helper.ts';

let t: TestApp;
let auth: Record<string, string>;
let staffUser: Awaited<ReturnType<typeof tokenFor>>['user'];

interface ApiItem {
  id: number;
  title: string;
  url: string;
  snippet: string;
  score: number;
  answerCount: number;
  hasAcceptedAnswer: boolean;
  hasOfficialAnswer: boolean;
  tags: string[];
  acceptedExcerpt: string | null;
}
interface ApiPage {
  items: ApiItem[];
  total: number;
  page: number;
  pageSize: number;
}

/** Asks through the JSON API as staff (no posting limits), each from its own address (no rate limit). */
async function ask(title: string, body: string, tags: string[]): Promise<number> {
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/questions', headers: auth, remoteAddress: nextIp(), payload: { title, body, tags } });
  if (response.statusCode !== 201) throw new Error(`ask failed: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

async function answer(questionId: number, body: string): Promise<number> {
  const response = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${questionId}/answers`, headers: auth, remoteAddress: nextIp(), payload: { body } });
  if (response.statusCode !== 201) throw new Error(`answer failed: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

async function accept(questionId: number, answerId: number | null): Promise<void> {
  const response = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${questionId}/accept`, headers: auth, payload: { answerId } });
  if (response.statusCode !== 200) throw new Error(`accept failed: ${response.statusCode} ${response.body}`);
}

function query(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([key, value]) => `${key}=${encodeSegment(value)}`)
    .join('&');
}

async function api(params: Record<string, string>): Promise<ApiPage> {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/search?${query(params)}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const titles = async (q: string, extra: Record<string, string> = {}) => (await api({ q, ...extra })).items.map((item) => item.title);
const found = async (q: string, extra: Record<string, string> = {}) => (await api({ q, ...extra })).items.map((item) => item.id);

async function suggest(title: string): Promise<ApiItem[]> {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/search/suggest?${query({ title })}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items;
}

async function page(params: Record<string, string>, lang = 'en'): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url: `/search?${query(params)}`, headers: { 'accept-language': lang } });
}

/** Retries `probe` until `done` holds or a generous limit passes; returns the last value for the assertion. */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, limitMs = 8_000): Promise<T> {
  const until = Date.now() + limitMs;
  let value = await probe();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

const changeCount = () => t.db.select({ n: count() }).from(searchChanges).get()!.n;

// The corpus: a small support forum in both languages.
const Q: Record<string, number> = {};

beforeAll(async () => {
  t = await buildTestApp();
  const staff = await tokenFor(t.app, t.db, 'staff');
  auth = staff.auth;
  staffUser = staff.user;
  Q.bottling = await ask('How long should beer be brewed before bottling?', 'I brewed my first batch of pale ale last week and wonder how long to wait before I bottle it.', ['homebrew', 'bottling']);
  Q.trappist = await ask('Which Trappist beers are still made in Belgium?', 'I would like to try every Trappist ale that monks still make. Which abbeys sell it?', ['trappist', 'belgium']);
  Q.invoice = await ask('¿Cómo descargo la factura de este mes?', 'Necesito la factura del mes para la contabilidad de mi empresa, pero no encuentro dónde descargarla en la web.', ['facturacion']);
  Q.modem = await ask('El módem no tiene conexión a internet', 'Desde ayer el módem parpadea en rojo y no hay conexión en toda la casa. ¿Qué puedo hacer?', ['internet', 'modem']);
  Q.phone = await ask('El telefono no se enciende despues de actualizar', 'Lo escribo sin tildes porque el teclado esta roto: el telefono se quedo en negro tras la actualizacion.', ['movil']);
  Q.stew = await ask('¿Qué cerveza sirve para cocinar un guiso?', 'Quiero usar una cerveza negra en un guiso de ternera, ¿cuál me recomiendan?', ['cocina']);
  Q.thermostatTitle = await ask('Thermostat shows error E4 after the power cut', 'Since yesterday the display only shows E4 and the heating stays off all day.', ['heating']);
  Q.thermostatBody = await ask('The heating stops every night at two', 'It starts again in the morning. I already replaced the batteries of the thermostat in the hallway.', ['heating']);
  Q.markup = await ask('Error <b>500</b> al cambiar la contraseña', 'Al guardar aparece `<script>alert(1)</script>` en la página de la contraseña y no se guarda nada.', ['cuenta']);
  Q.printerAnswered = await ask('La impresora de la oficina no imprime en color', 'Solo imprime en blanco y negro aunque los cartuchos de color están llenos.', ['impresora']);
  Q.printerOpen = await ask('Impresora nueva: configurar la impresora en red con la impresora antigua', 'Quiero tener las dos impresoras en la misma red de la oficina y que la impresora nueva sea la principal.', ['impresora']);
  const printerAnswer = await answer(Q.printerAnswered, 'Abre las preferencias del driver y desactiva la opción de escala de grises; luego reinicia la cola de impresión.');
  await accept(Q.printerAnswered, printerAnswer);
  const modemAnswer = await answer(Q.modem, 'Reinicia el módem desenchufándolo treinta segundos; si sigue en rojo llama a la operadora.');
  await accept(Q.modem, modemAnswer);
  setOfficial(t.db, { ...staffUser, reputation: 1, createdAt: new Date() }, modemAnswer, true);
  await t.app.searchIndex.sync();
});

afterAll(async () => {
  await t?.close();
});

describe('ranking in English and Spanish', () => {
  it('finds an English and a Spanish question from a paraphrase', async () => {
    expect((await titles('when can I bottle my brewed ale'))[0]).toBe('How long should beer be brewed before bottling?');
    expect((await titles('descargar la factura mensual'))[0]).toBe('¿Cómo descargo la factura de este mes?');
    expect((await titles('sin conexión, el modem parpadea'))[0]).toBe('El módem no tiene conexión a internet');
  });

  it("detects each question's language from its text", () => {
    const languageOf = (id: number) => t.db.select({ language: questions.language }).from(questions).where(eq(questions.id, id)).get()!.language;
    expect([Q.bottling, Q.trappist, Q.thermostatTitle].map(languageOf)).toEqual(['en', 'en', 'en']);
    expect([Q.invoice, Q.modem, Q.phone, Q.stew].map(languageOf)).toEqual(['es', 'es', 'es', 'es']);
  });

  it('stems in both languages, whatever the question and page language', async () => {
    expect(await found('facturas')).toContain(Q.invoice);
    expect(await found('brewing')).toEqual(expect.arrayContaining([Q.bottling]));
    expect(await found('cervezas')).toEqual([Q.stew]);
    // Stop words alone do not match everything.
    expect(await found('the de la')).toEqual([]);
    // The page language does not change what is found.
    for (const lang of ['es', 'en']) {
      const html = (await page({ q: 'brewing facturas' }, lang)).body;
      expect(html).toContain(`/questions/${Q.bottling}/`);
      expect(html).toContain(`/questions/${Q.invoice}/`);
    }
  });

  it('folds accents both ways', async () => {
    expect(await found('modem')).toContain(Q.modem);
    expect(await found('MÓDEM')).toContain(Q.modem);
    expect(await found('teléfono')).toEqual([Q.phone]);
    expect(await found('actualización')).toEqual([Q.phone]);
    expect(await found('conexion')).toEqual([Q.modem]);
  });

  it('tolerates a typo in a longer word', async () => {
    expect(await found('cervesa')).toEqual([Q.stew]);
    expect(await found('trapist')).toEqual([Q.trappist]);
    expect(await found('termostat')).toEqual(expect.arrayContaining([Q.thermostatTitle]));
  });

  it('completes the last word in suggestions', async () => {
    expect((await suggest('conexi')).map((s) => s.id)).toEqual([Q.modem]);
    expect((await suggest('El módem no tiene conexi')).map((s) => s.id)[0]).toBe(Q.modem);
    expect((await suggest('Which Trapp')).map((s) => s.id)).toContain(Q.trappist);
    // Too short to suggest anything.
    expect(await suggest('co')).toEqual([]);
  });

  it('ranks a title match above a body-only match', async () => {
    const ids = await found('thermostat');
    expect(ids.slice(0, 2)).toEqual([Q.thermostatTitle, Q.thermostatBody]);
  });

  it('applies staff-edited synonyms at query time', async () => {
    const recibo = () => found('recibo');
    try {
      setSetting(t.db, 'searchSynonyms', 'wifi, wlan');
      expect(await eventually(recibo, (ids) => ids.length === 0)).toEqual([]);
      setSetting(t.db, 'searchSynonyms', 'wifi, wlan\nfactura, recibo, invoice');
      expect(await eventually(recibo, (ids) => ids.includes(Q.invoice))).toContain(Q.invoice);
      expect(await found('invoice')).toContain(Q.invoice);
      // An exact match still outranks a synonym: the question with "factura" in its title leads for "factura".
      expect((await found('factura'))[0]).toBe(Q.invoice);
    } finally {
      setSetting(t.db, 'searchSynonyms', settingDefinitions.searchSynonyms.default);
    }
  });
});

describe('filters and pages', () => {
  it('filters answered questions only', async () => {
    expect(await found('impresora')).toEqual(expect.arrayContaining([Q.printerAnswered, Q.printerOpen]));
    expect(await found('impresora', { answered: 'true' })).toEqual([Q.printerAnswered]);
    const html = (await page({ q: 'impresora', answered: 'true' })).body;
    expect(html).toContain(`/questions/${Q.printerAnswered}/`);
    expect(html).not.toContain(`/questions/${Q.printerOpen}/`);
    expect(html).toMatch(/id="search-answered"[^>]* checked/);
  });

  it('filters by tag (case-insensitive)', async () => {
    expect(await found('heating thermostat', { tag: 'heating' })).toEqual(expect.arrayContaining([Q.thermostatTitle, Q.thermostatBody]));
    expect(await found('thermostat modem', { tag: 'Internet' })).toEqual([Q.modem]);
    expect(await found('thermostat', { tag: 'no-such-tag' })).toEqual([]);
  });

  it('pages through many results without repeating any', async () => {
    const word = 'zanahoria';
    for (let i = 0; i < 23; i++) await ask(`Pregunta ${i} sobre la ${word} del huerto`, `Una pregunta de prueba número ${i} para paginar la búsqueda de ${word}.`, ['huerto']);
    await t.app.searchIndex.sync();
    const first = await api({ q: word });
    expect({ total: first.total, page: first.page, pageSize: first.pageSize, items: first.items.length }).toEqual({ total: 23, page: 1, pageSize: 20, items: 20 });
    const second = await api({ q: word, page: '2' });
    expect({ total: second.total, page: second.page, pageSize: second.pageSize, items: second.items.length }).toEqual({ total: 23, page: 2, pageSize: 20, items: 3 });
    const all = [...first.items, ...second.items].map((item) => item.id);
    expect(new Set(all).size).toBe(23);
    expect((await api({ q: word, page: '3' })).items).toEqual([]);
    for (const bad of ['0', '-1', 'abc', '1e9', '']) expect((await api({ q: word, page: bad })).page, bad).toBeGreaterThanOrEqual(1);
    // The page links of the HTML results keep the query and filters.
    const html = (await page({ q: word, tag: 'huerto' })).body;
    expect(html).toMatch(/href="\/search\?q=zanahoria&amp;tag=huerto&amp;page=2"/);
    // A page past the end is not a "nobody has asked this" page: it says how many there are and links back.
    const past = (await page({ q: word, page: '9' })).body;
    expect(past).not.toContain('no-results');
    expect(past).toContain('23 questions found');
    expect(past).toContain('<a href="/search?q=zanahoria">Page 1 of 2</a>');
  });
});

describe('the JSON API (API.md, "Search")', () => {
  it('answers a list with the documented fields', async () => {
    const body = await api({ q: 'modem' });
    expect(Object.keys(body).sort()).toEqual(['items', 'page', 'pageSize', 'total']);
    const item = body.items.find((i) => i.id === Q.modem)!;
    expect(item).toMatchObject({
      id: Q.modem,
      title: 'El módem no tiene conexión a internet',
      url: `${t.config.baseUrl}/questions/${Q.modem}/el-modem-no-tiene-conexion-a-internet`,
      score: 0,
      answerCount: 1,
      hasAcceptedAnswer: true,
      hasOfficialAnswer: true,
      tags: ['internet', 'modem'],
    });
    expect(typeof item.snippet).toBe('string');
    expect(item.snippet).toContain('módem');
    expect(item.snippet).not.toMatch(/<mark>|<\/?p>/);
    expect(item.acceptedExcerpt).toContain('Reinicia el módem');
    for (const key of ['id', 'score', 'answerCount'] as const) expect(Number.isInteger(item[key])).toBe(true);
  });

  it('answers an empty or missing query with an empty list', async () => {
    for (const url of ['/api/v1/search', '/api/v1/search?q=', '/api/v1/search?q=%20%20']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
    }
  });

  it('suggests at most five similar questions, answered ones first, in the same item shape', async () => {
    const items = await suggest('impresora');
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.length).toBeLessThanOrEqual(5);
    expect(items[0].id).toBe(Q.printerAnswered);
    expect(items[0].hasAcceptedAnswer).toBe(true);
    expect(items[0].acceptedExcerpt).toContain('escala de grises');
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/search/suggest?title=impresora' });
    expect(Object.keys(response.json())).toEqual(['items']);
    expect(Object.keys(items[0]).sort()).toEqual(Object.keys((await api({ q: 'impresora' })).items[0]).sort());
    const many = await suggest('zanahoria del huerto');
    expect(many.length).toBe(5);
  });
});

describe('results page', () => {
  it('shows title, highlighted snippet, tags, score, answer count and the accepted and official marks', async () => {
    const response = await page({ q: 'módem' });
    expect(response.statusCode).toBe(200);
    const html = response.body;
    expect(html).toContain('<mark>módem</mark>');
    expect(html).toContain(`href="/questions/${Q.modem}/el-modem-no-tiene-conexion-a-internet"`);
    expect(html).toMatch(/class="tag" href="\/search\?q=m%C3%B3dem&amp;tag=internet">internet</);
    expect(html).toContain('0 votes');
    expect(html).toContain('1 answer');
    expect(html).toContain('badge-accepted');
    expect(html).toContain('Official answer');
    expect(html).toMatch(/<title>[^<]*módem/);
  });

  it('escapes stored text in titles and snippets: marks are the only markup added', async () => {
    const html = (await page({ q: 'contraseña' })).body;
    expect(html).toContain('<mark>contraseña</mark>');
    expect(html).toContain('Error &lt;b&gt;500&lt;/b&gt; al cambiar la <mark>contraseña</mark>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<b>500');
    expect(scriptTags(html)).toBe(1);
  });

  it('shows a clear "no results" page that offers to ask with the words typed', async () => {
    const html = (await page({ q: 'xilófono submarino' })).body;
    expect(html).toContain('No results for “xilófono submarino”');
    expect(html).toContain(`<a class="button primary" href="/questions/ask?title=${encodeURIComponent('xilófono submarino')}">Ask a question</a>`);
    const es = (await page({ q: 'xilófono submarino' }, 'es')).body;
    expect(es).toContain('No hay resultados para «xilófono submarino»');
    expect(es).toContain('Hacer una pregunta');
  });

  it('asks for words when the query is empty', async () => {
    const html = (await page({ q: '' })).body;
    expect(html).toContain('Type what you are looking for.');
    expect(html).not.toContain('no-results');
  });

  it('lists related questions on a thread, never the thread itself (worked out after the first view, never waited for)', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/questions/${Q.printerOpen}`, headers: { 'accept-language': 'en' } });
    const url = response.statusCode === 301 ? String(response.headers.location) : `/questions/${Q.printerOpen}`;
    const first = await t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'en' } });
    expect(first.statusCode).toBe(200);
    // The first view does not wait for them; once worked out, the kept page is dropped and the next view has them.
    await t.app.relatedQuestions.settled();
    const thread = await t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'en' } });
    expect(thread.statusCode).toBe(200);
    const related = /<section class="related"[\s\S]*?<\/section>/.exec(thread.body)?.[0] ?? '';
    expect(related).toContain('Related questions');
    expect(related).toContain(`/questions/${Q.printerAnswered}/`);
    expect(related).not.toContain(`/questions/${Q.printerOpen}/`);
  });
});

// ---------------------------------------------------------------------------------------------------
// Hostile input: every entry point answers 200, with results or none, and never echoes markup raw.

const HOSTILE = [
  '~', 'title:', '+-^', ':', 'hops^', 'beer -', '*', '"', "'", '\\', '^', '-', '+', 'title:*', '~1', 'foo~', 'a:b:c', '[', '{', ')',
  'beer~2', 'title:beer^10 +body:ale -tags:x', 'ale*', '*ale', 'a^-1', '~~~', '::', '+', '- -', '"unterminated', 'modem:', 'módem~1', 'factura^', '+-+-+-',
  '😀', '🍺🍺 cerveza 🍺', '👨‍👩‍👧‍👦', '\u200f\u200e', '\u202eodem', 'مرحبا بالعالم', '\u0000', 'a\u0000b', 'x'.repeat(10_000), 'modem '.repeat(1_666),
  '😀'.repeat(5_000), '😀'.repeat(10_000), 'é'.repeat(10_000), ' ', '   \t\n  ', '\ud800', '\udfff abc', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>",
  '%00', '%3Cscript%3E', '{{7*7}}', '<%= 7*7 %>', '${7*7}', 'SELECT * FROM questions; --', "' OR '1'='1",
];
const EVERY = [...new Set([...HOSTILE, ...BLNS])];

describe('hostile queries', () => {
  it('never make the JSON API fail', async () => {
    const failures: string[] = [];
    await inBatches(EVERY, 8, async (q) => {
      const url = `/api/v1/search?q=${encodeSegment(q)}`;
      const response = await t.app.inject({ method: 'GET', url });
      if (response.statusCode !== 200) return void failures.push(`${show(q)} → ${response.statusCode} ${response.body.slice(0, 120)}`);
      const body = response.json() as ApiPage;
      if (!Array.isArray(body.items) || typeof body.total !== 'number') failures.push(`${show(q)} → ${response.body.slice(0, 120)}`);
      const withFilters = await t.app.inject({ method: 'GET', url: `${url}&tag=${encodeSegment(q.slice(0, 100))}&answered=true&page=2` });
      if (withFilters.statusCode !== 200) failures.push(`${show(q)} with filters → ${withFilters.statusCode} ${withFilters.body.slice(0, 120)}`);
    });
    expect(failures).toEqual([]);
  });

  it('never make suggestions fail', async () => {
    const failures: string[] = [];
    await inBatches(EVERY, 8, async (title) => {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/search/suggest?title=${encodeSegment(title)}` });
      if (response.statusCode !== 200 || !Array.isArray(response.json().items)) failures.push(`${show(title)} → ${response.statusCode} ${response.body.slice(0, 120)}`);
    });
    expect(failures).toEqual([]);
  });

  it('never make the search page fail, and are echoed escaped', async () => {
    const baseline = (await page({ q: 'beer' })).body;
    const failures: string[] = [];
    await inBatches(EVERY, 8, async (q) => {
      const response = await page({ q });
      if (response.statusCode !== 200) return void failures.push(`${show(q)} → ${response.statusCode}`);
      const html = response.body;
      if (scriptTags(html) !== 1) failures.push(`${show(q)} added a script tag`);
      // Markup typed as a query must never come back as markup.
      if (/[<>]/.test(q) && q.trim().length > 1 && !baseline.includes(q.trim()) && html.includes(q.trim())) failures.push(`${show(q)} echoed raw`);
    });
    expect(failures).toEqual([]);
  });

  it('are echoed escaped in the heading, the title, both search boxes and the ask link', async () => {
    expect(BLNS.length).toBeGreaterThan(400);
    const q = '"><script>alert(1)</script>';
    const html = (await page({ q })).body;
    const escaped = '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;';
    expect(html).toContain(`<h1>Results for “${escaped}”</h1>`);
    expect(html).toContain(`<title>Results for “${escaped}”`);
    expect(html).toContain(`id="header-q" type="search" name="q" maxlength="500" placeholder="Describe your problem…" value="${escaped}"`);
    expect(html).toContain(`id="search-page-q" type="search" name="q" maxlength="500" value="${escaped}"`);
    expect(html).toContain(`href="/questions/ask?title=${encodeURIComponent(q)}"`);
    expect(html).not.toContain('<script>alert');
  });

  it('still find things when the words are wrapped in query syntax', async () => {
    expect(await found('title:modem')).toContain(Q.modem);
    expect(await found('+cerveza -guiso')).toContain(Q.stew);
    expect(await found('modem~1')).toContain(Q.modem);
    expect(await found('trappist^10')).toContain(Q.trappist);
    expect(await found('"brewed before bottling"')).toContain(Q.bottling);
  });
});

// ---------------------------------------------------------------------------------------------------
// Freshness: every write lands in the change log with the write, and is searchable after a sync.

describe('freshness after writes', () => {
  it('finds a new question, its answer, its accepted mark and its edit, and forgets it once deleted', async () => {
    let changes = changeCount();
    const id = await ask('La lavadora hace un ruido metálico al centrifugar', 'Suena como si hubiera una moneda dentro del tambor cuando centrifuga a mil revoluciones.', ['electrodomesticos']);
    expect(changeCount()).toBe(changes + 1);
    await t.app.searchIndex.sync();
    expect(await found('lavadora centrifugar')).toContain(id);

    changes = changeCount();
    const answerId = await answer(id, 'Revisa el filtro de la bomba de desagüe: suele haber una horquilla atrapada.');
    expect(changeCount()).toBe(changes + 1);
    await t.app.searchIndex.sync();
    expect(await found('horquilla')).toEqual([id]);
    expect((await api({ q: 'lavadora' })).items.find((i) => i.id === id)).toMatchObject({ answerCount: 1, hasAcceptedAnswer: false });
    expect(await found('lavadora', { answered: 'true' })).toContain(id);

    changes = changeCount();
    await accept(id, answerId);
    expect(changeCount()).toBe(changes + 1);
    await t.app.searchIndex.sync();
    expect((await api({ q: 'lavadora' })).items.find((i) => i.id === id)).toMatchObject({ hasAcceptedAnswer: true });
    expect((await suggest('lavadora ruido'))[0]).toMatchObject({ id, acceptedExcerpt: expect.stringContaining('horquilla') });

    changes = changeCount();
    const edit = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/questions/${id}`,
      headers: auth,
      remoteAddress: nextIp(),
      payload: { title: 'El secarropas vibra y golpea la pared', comment: 'título más claro' },
    });
    expect(edit.statusCode, edit.body).toBe(200);
    expect(changeCount()).toBe(changes + 1);
    await t.app.searchIndex.sync();
    expect(await found('secarropas')).toEqual([id]);
    expect(await found('lavadora')).not.toContain(id);
    // The body did not change: its words still find it.
    expect(await found('moneda tambor')).toContain(id);

    changes = changeCount();
    const { browser } = await loginAs(t.app, t.db, 'moderator');
    const deleted = await browser.submit(`/questions/${id}/delete`, {});
    expect(deleted.statusCode).toBe(303);
    expect(changeCount()).toBe(changes + 1);
    await t.app.searchIndex.sync();
    expect(await found('secarropas')).toEqual([]);
    expect(await found('moneda tambor')).not.toContain(id);
    expect(await suggest('El secarropas vibra')).toEqual([]);
  });

  it('reflects an answer edit and the official mark', async () => {
    const id = await ask('Cómo cambio el plan de datos del móvil', 'Quiero pasar al plan de veinte gigas pero la aplicación no me deja.', ['movil']);
    const answerId = await answer(id, 'Desde la aplicación no se puede, hay que hacerlo en la web.');
    await t.app.searchIndex.sync();
    expect(await found('portabilidad')).toEqual([]);
    const changes = changeCount();
    const edited = await t.app.inject({ method: 'PATCH', url: `/api/v1/answers/${answerId}`, headers: auth, remoteAddress: nextIp(), payload: { body: 'Pide la portabilidad desde la web: la aplicación no lo permite todavía.' } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(changeCount()).toBe(changes + 1);
    await t.app.searchIndex.sync();
    expect(await found('portabilidad')).toEqual([id]);
    setOfficial(t.db, { ...staffUser, reputation: 1, createdAt: new Date() }, answerId, true);
    await t.app.searchIndex.sync();
    expect((await api({ q: 'portabilidad' })).items[0]).toMatchObject({ id, hasOfficialAnswer: true });
  });
});
