// The public unanswered feeds per tag and per language (issue 13): Atom 1.0, only live unanswered questions of
// that tag or language, never a private support case, linked from the list pages (<link rel=alternate> and a
// visible link), and unknown tags or languages are 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAnswer } from '../../src/features/answers/service.ts';
import { openCase } from '../../src/features/cases/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { buildTestApp, createUser, type TestApp } from '../helper.ts';
import { expectAtom10 } from '../fixtures/atom.ts';

const BASE = 'https://forum.example.com';
let t: TestApp;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await buildTestApp({ env: { BASE_URL: BASE } });
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberQuestionsPerDay', 100);
  const asker = { ...(await createUser(t.db, 'member')), reputation: 1, createdAt: new Date(0) } as never;
  const staff = { ...(await createUser(t.db, 'staff')), reputation: 1, createdAt: new Date(0) } as never;
  const ask = (key: string, title: string, tags: string, language: "en" | "es") => {
    // The language of a question is detected from its text.
    const body = language === 'es' ? `${title}: os cuento lo que pasa, paso a paso, desde que lo compré.` : `${title}: here is what happens, step by step, since I bought it.`;
    ids[key] = askQuestion(t.db, asker, { title, body, tags }, t.app.settings()).id;
  };
  ask('kettleEn', 'My kettle switches itself off too early', 'kettles', 'en');
  ask('kettleEs', 'Mi hervidor se apaga demasiado pronto', 'kettles', 'es');
  ask('toasterEs', 'Mi tostadora no calienta por un lado', 'toasters', 'es');
  ask('answeredEs', 'Mi hervidor hace un ruido muy fuerte', 'kettles', 'es');
  ask('escalatedEn', 'My kettle order arrived broken', 'kettles', 'en');
  postAnswer(t.db, staff, ids.answeredEs, { body: 'Quita la cal del fondo con vinagre y agua caliente.' }, t.app.settings());
  openCase(t.db, (await createUser(t.db, 'admin')) as never, { questionId: ids.escalatedEn, summary: 'Broken on arrival, order PRIVATE-ORDER-981 needs a refund.', details: 'PRIVATE-ORDER-981' });
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, lang = 'en') => t.app.inject({ method: 'GET', url, headers: { 'accept-language': lang } });
const questionIdsIn = (entries: { id: string }[]) => entries.map((e) => Number(/\/questions\/(\d+)$/.exec(e.id)?.[1])).sort((a, b) => a - b);

describe('unanswered per tag', () => {
  it('lists the tag’s questions without an answer in every language, as Atom 1.0', async () => {
    const response = await get('/feeds/unanswered/tags/kettles');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const entries = expectAtom10(response.body, `${BASE}/feeds/unanswered/tags/kettles`);
    expect(questionIdsIn(entries)).toEqual([ids.kettleEn, ids.kettleEs, ids.escalatedEn].sort((a, b) => a - b));
    expect(response.body).toContain('Unanswered questions tagged “kettles”');
  });

  it('is titled in the reader’s language; a tag in capitals is the same tag', async () => {
    const response = await get('/feeds/unanswered/tags/Kettles', 'es');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Preguntas sin respuesta con la etiqueta «kettles»');
    expect(response.body).toContain('xml:lang="es"');
  });

  it('an unknown tag is 404, and so is a tag too long to exist', async () => {
    expect((await get('/feeds/unanswered/tags/no-such-tag')).statusCode).toBe(404);
    expect((await get(`/feeds/unanswered/tags/${'x'.repeat(101)}`)).statusCode).toBe(404);
  });
});

describe('unanswered per language', () => {
  it('lists the unanswered questions written in that language only', async () => {
    const es = expectAtom10((await get('/feeds/unanswered/languages/es')).body, `${BASE}/feeds/unanswered/languages/es`);
    expect(questionIdsIn(es)).toEqual([ids.kettleEs, ids.toasterEs].sort((a, b) => a - b));
    const en = await get('/feeds/unanswered/languages/en', 'es');
    expect(questionIdsIn(expectAtom10(en.body, `${BASE}/feeds/unanswered/languages/en`))).toEqual([ids.kettleEn, ids.escalatedEn].sort((a, b) => a - b));
    expect(en.body).toContain('Preguntas sin respuesta en English');
  });

  it('an unknown language is 404', async () => {
    for (const bad of ['fr', 'ES', 'es-es', 'e%00s']) expect((await get(`/feeds/unanswered/languages/${encodeURIComponent(bad)}`)).statusCode, bad).toBe(404);
  });
});

describe('privacy and links', () => {
  it('a private support case is in none of the feeds: the escalated question is public, its case is not', async () => {
    for (const url of ['/feeds/unanswered', '/feeds/unanswered/tags/kettles', '/feeds/unanswered/languages/en']) {
      const body = (await get(url)).body;
      expect(body, url).not.toContain('PRIVATE-ORDER-981');
      expect(body, url).not.toContain('/support/cases');
      expect(body, url).not.toContain('@example.com');
    }
  });

  it('the unanswered list of a tag and of a language links its feeds in <head> and visibly', async () => {
    const tagPage = (await get('/questions?sort=unanswered&tag=kettles')).body;
    expect(tagPage).toContain('<link rel="alternate" type="application/atom+xml" title="Unanswered questions tagged “kettles”" href="/feeds/unanswered/tags/kettles">');
    expect(tagPage).toMatch(/<a href="\/feeds\/unanswered\/tags\/kettles" type="application\/atom\+xml">Unanswered questions tagged “kettles”<\/a>/);
    const tagList = (await get('/questions?tag=kettles', 'es')).body;
    expect(tagList).toContain('href="/feeds/unanswered/tags/kettles"');
    expect(tagList).toContain('Sigue estas preguntas en un lector de feeds');
    const langPage = (await get('/questions?sort=unanswered&lang=es', 'es')).body;
    expect(langPage).toContain('<link rel="alternate" type="application/atom+xml" title="Preguntas sin respuesta en Español" href="/feeds/unanswered/languages/es">');
    expect(langPage).toMatch(/<a href="\/feeds\/unanswered\/languages\/es" type="application\/atom\+xml">/);
  });

  it('an answer takes the question out of its feeds', async () => {
    const staff = { ...(await createUser(t.db, 'staff')), reputation: 1, createdAt: new Date(0) } as never;
    postAnswer(t.db, staff, ids.toasterEs, { body: 'Limpia las resistencias con un cepillo suave y sin agua.' }, t.app.settings());
    const es = expectAtom10((await get('/feeds/unanswered/languages/es')).body, `${BASE}/feeds/unanswered/languages/es`);
    expect(questionIdsIn(es)).toEqual([ids.kettleEs]);
  });
});
