// The interface pass of issue 16 through app.inject(): every field's error at once, letters required in
// titles and bodies, over-long texts back to the form, privilege walls shown, profiles written for the
// viewer, malformed addresses, attribution of a moderator's accept, answer order, weak searches, the CLI.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSetting } from '../../src/features/settings/service.ts';
import { BODY_MAX } from '../../src/features/questions/validation.ts';
import { Browser, buildTestApp, createUser, loginAs, tokenFor, type TestApp } from '../helper.ts';
import { nextIp } from '../fixtures/hostile.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

let t: TestApp;
let staff: Awaited<ReturnType<typeof tokenFor>>;
let seq = 0;

beforeAll(async () => {
  t = await buildTestApp();
  staff = await tokenFor(t.app, t.db, 'staff');
  setSetting(t.db, 'postsPerIpPerMinute', 10_000);
  setSetting(t.db, 'signInPerIpPerMinute', 10_000);
  setSetting(t.db, 'signUpPerIpPerHour', 10_000);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberQuestionsPerDay', 1000);
  setSetting(t.db, 'newMemberAnswersPerDay', 1000);
});
afterAll(async () => {
  await t?.close();
});

const count = (table: string) => (t.db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;

async function ask(auth: Record<string, string>, title = `How do I reset the router number ${++seq}?`, body = 'The router keeps dropping the connection every evening around nine.') {
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/questions', headers: auth, remoteAddress: nextIp(), payload: { title, body, tags: ['router'] } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: number; url: string };
}

async function answer(auth: Record<string, string>, questionId: number, body: string) {
  const response = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${questionId}/answers`, headers: auth, remoteAddress: nextIp(), payload: { body } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as number;
}

const threadUrl = (id: number) => t.db.$client.prepare('select slug from questions where id = ?').get(id) as { slug: string };

describe('every field’s error at once (item 4)', () => {
  it('sign-up reports a bad username, a bad e-mail and a common password in one answer, and creates nothing', async () => {
    const before = count('users');
    const browser = new Browser(t.app);
    const response = await browser.submit('/signup', { username: 'a', email: 'not-an-address', password: 'password' }, { headers: { 'accept-language': 'en' } });
    expect(response.statusCode).toBe(400);
    for (const field of ['username', 'email', 'password']) {
      expect(response.body).toContain(`id="error-${field}"`);
      expect(response.body).toContain(`href="#field-${field}"`);
    }
    expect(count('users')).toBe(before);
  });

  it('a taken username and a common password are both reported', async () => {
    const taken = await createUser(t.db, 'member', `taken${++seq}`);
    const browser = new Browser(t.app);
    const response = await browser.submit('/signup', { username: taken.username, email: `fresh${seq}@example.com`, password: 'password' }, { headers: { 'accept-language': 'en' } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('That username is taken.');
    expect(response.body).toContain('one of the most common');
  });

  it('the API still answers one error in the API.md shape (the first malformed field)', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/users', remoteAddress: nextIp(), payload: { username: 'a', email: 'x', password: 'password' } });
    expect([400, 404]).toContain(response.statusCode);
    if (response.statusCode === 400) expect(response.json().error.code).toBe('invalid_input');
  });

  it('the ask form reports title, body and tags together, keeping what was typed', async () => {
    const { browser } = await loginAs(t.app, t.db, 'member');
    const before = count('questions');
    const response = await browser.submit('/questions/ask', { title: '😡'.repeat(16), body: 'short', tags: 'not_valid' }, { headers: { 'accept-language': 'es' } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('letras o cifras');
    expect(response.body).toContain('href="#field-body"');
    expect(response.body).toContain('href="#field-tags"');
    expect(response.body).toContain('value="not_valid"');
    expect(count('questions')).toBe(before);
  });
});

describe('letters or digits in titles and bodies (item 5)', () => {
  it('refuses an emoji-only title and a body of symbols, in the visitor’s language', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/questions', headers: { ...staff.auth, 'accept-language': 'es' }, payload: { title: '😡'.repeat(16), body: 'The router keeps dropping the connection every evening.', tags: ['router'] } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('letras o cifras');
    const answerResponse = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${(await ask(staff.auth)).id}/answers`, headers: staff.auth, payload: { body: '!!!! ???? ---- **** 😀😀😀😀😀😀😀😀😀😀😀😀' } });
    expect(answerResponse.statusCode).toBe(400);
  });
});

describe('over-long texts come back to the form (item 3)', () => {
  it('an answer of 2 MB comes back to the thread form with the text kept and the limit said, and nothing is posted', async () => {
    const { id } = await ask(staff.auth);
    const { browser } = await loginAs(t.app, t.db, 'member');
    const before = count('answers');
    const huge = 'Paso a paso: '.padEnd(2_000_000, 'x');
    const response = await browser.submit(`/questions/${id}/answers`, { body: huge }, { headers: { 'accept-language': 'en' } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('id="error-summary"');
    expect(response.body).toContain('2,000,000 characters; the limit is 30,000');
    expect(response.body).toContain(huge.slice(0, 1000));
    expect(response.body).toContain(`maxlength="${BODY_MAX}"`);
    expect(count('answers')).toBe(before);
  });

  it('the form says the limit without JavaScript', async () => {
    const { id } = await ask(staff.auth);
    const { browser } = await loginAs(t.app, t.db, 'member');
    const page = await browser.get(`/questions/${id}/${threadUrl(id).slug}`, { 'accept-language': 'es' });
    expect(page.body).toContain('Hasta 30.000 caracteres.');
  });

  it('past what a form may carry at all, the 413 page says how to get back to the text', async () => {
    const { id } = await ask(staff.auth);
    const { browser } = await loginAs(t.app, t.db, 'member');
    const from = `/questions/${id}/${threadUrl(id).slug}`;
    const response = await t.app.inject({
      method: 'POST',
      url: `/questions/${id}/answers`,
      payload: 'body=' + 'x'.repeat(9 * 1024 * 1024),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: browser.header(), 'accept-language': 'en', host: 'localhost:80', referer: `http://localhost:80${from}` },
    });
    expect(response.statusCode, response.body.slice(0, 600)).toBe(413);
    expect(response.body, response.body.slice(0, 3000)).toContain('Back button');
    expect(response.body).toContain(`href="${from}"`);
  });
});

describe('privilege walls are shown (item 2)', () => {
  it('a new member sees locked arrows and a locked comment link explaining what they need', async () => {
    const { id } = await ask(staff.auth);
    await answer(staff.auth, id, 'Restart the router and wait two minutes before testing again.');
    const { browser } = await loginAs(t.app, t.db, 'member');
    const page = await browser.get(`/questions/${id}/${threadUrl(id).slug}`, { 'accept-language': 'en' });
    expect(page.body).toContain('Voting up needs 15 reputation — how reputation works');
    expect(page.body).toContain('Voting down needs 125 reputation');
    expect(page.body).toContain('needs 50 reputation');
    expect(page.body).toContain('href="/help/reputation#privileges"');
    const help = await browser.get('/help/reputation');
    expect(help.body).toContain('id="privileges"');
  });

  it('a signed-out visitor’s arrows lead to sign in', async () => {
    const { id } = await ask(staff.auth);
    const page = await t.app.inject({ method: 'GET', url: `/questions/${id}/${threadUrl(id).slug}`, headers: { 'accept-language': 'es' } });
    expect(page.body).toContain('Inicia sesión para votar');
    expect(page.body).toContain(`href="/signin?next=${encodeURIComponent(`/questions/${id}/${threadUrl(id).slug}`)}"`);
  });
});

describe('profiles written for the viewer (item 7)', () => {
  it('the asker reads “You accepted an answer”; anyone else reads the asker’s name', async () => {
    const asker = await loginAs(t.app, t.db, 'member');
    const answerer = await tokenFor(t.app, t.db, 'member');
    const token = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { login: asker.user.username, password: asker.user.password } });
    const askerAuth = { authorization: `Bearer ${token.json().token}` };
    const { id } = await ask(askerAuth);
    const answerId = await answer(answerer.auth, id, 'Update the firmware from the admin page, then restart it.');
    const accepted = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${id}/accept`, headers: askerAuth, payload: { answerId } });
    expect(accepted.statusCode).toBe(200);
    const own = await asker.browser.get(`/users/${asker.user.username}`, { 'accept-language': 'en' });
    expect(own.body).toContain('You accepted an answer');
    const other = await t.app.inject({ method: 'GET', url: `/users/${asker.user.username}`, headers: { 'accept-language': 'en' } });
    expect(other.body).not.toContain('You accepted an answer');
    expect(other.body).toContain(`${asker.user.displayName} accepted an answer`);
  });
});

describe('malformed addresses (item 8)', () => {
  it('/questions/abc is a 404 page in the visitor’s language', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/questions/abc', headers: { 'accept-language': 'es' } });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('lang="es"');
    expect(response.body).not.toMatch(/must be|integer/);
  });

  it('?sort=foo falls back to the default order', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/questions?sort=foo', headers: { 'accept-language': 'es' } });
    expect(response.statusCode).toBe(200);
  });

  it('a validation message carries no English from the validator', async () => {
    const { browser } = await loginAs(t.app, t.db, 'member');
    const response = await browser.submit('/votes', { postType: 'question', postId: 'abc', value: '1' }, { headers: { 'accept-language': 'es' } });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toMatch(/must be/);
    expect(response.body).toContain('no es válido');
  });
});

describe('a moderator’s accept is attributed (item 15) and answers can be ordered (item 16)', () => {
  it('says who accepted on the asker’s behalf', async () => {
    const { id } = await ask(staff.auth);
    const moderator = await tokenFor(t.app, t.db, 'moderator');
    const answerId = await answer(staff.auth, id, 'Use the reset button on the back for ten seconds.');
    const accepted = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${id}/accept`, headers: moderator.auth, payload: { answerId } });
    expect(accepted.statusCode).toBe(200);
    const page = await t.app.inject({ method: 'GET', url: `/questions/${id}/${threadUrl(id).slug}`, headers: { 'accept-language': 'en' } });
    expect(page.body).toContain(`Accepted by ${moderator.user.displayName} on behalf of the asker`);
  });

  it('orders answers by votes, oldest or newest, the accepted one first; an unknown order is the default', async () => {
    const { id } = await ask(staff.auth);
    const first = await answer(staff.auth, id, 'First answer: unplug it for thirty seconds.');
    const second = await answer(staff.auth, id, 'Second answer: check the cable to the wall socket.');
    const third = await answer(staff.auth, id, 'Third answer: call the line test number and follow it.');
    const order = async (query: string) => {
      const body = (await t.app.inject({ method: 'GET', url: `/questions/${id}/${threadUrl(id).slug}${query}` })).body;
      return [...body.matchAll(/<article class="answer[^"]*" id="answer-(\d+)"/g)].map((m) => Number(m[1]));
    };
    expect(await order('?answers=oldest')).toEqual([first, second, third]);
    expect(await order('?answers=newest')).toEqual([third, second, first]);
    expect(await order('?answers=bogus')).toHaveLength(3);
    await t.app.inject({ method: 'POST', url: `/api/v1/questions/${id}/accept`, headers: staff.auth, payload: { answerId: second } });
    expect(await order('?answers=newest')).toEqual([second, third, first]);
  });
});

describe('weak searches say so (item 11)', () => {
  it('a query most of whose words nothing holds finds nothing and offers to ask', async () => {
    await ask(staff.auth, 'La impresora no imprime en color desde ayer', 'La impresora de la oficina solo imprime en blanco y negro desde ayer por la tarde.');
    await t.app.searchIndex.sync();
    const nonsense = await t.app.inject({ method: 'GET', url: '/search?q=' + encodeURIComponent('xyzzy plugh impresora'), headers: { 'accept-language': 'es' } });
    expect(nonsense.body).toContain('/questions/ask?title=');
    expect(nonsense.body).toMatch(/no-results|weak-results/);
    // The issue's own example: one word of three known, so at best a weak match, said so, with the offer to ask.
    const example = await t.app.inject({ method: 'GET', url: '/search?q=' + encodeURIComponent('xyzzy impresora láser'), headers: { 'accept-language': 'es' } });
    expect(example.body).toMatch(/class="no-results"|class="notice weak-results"/);
    expect(example.body).toContain('/questions/ask?title=xyzzy%20impresora%20l%C3%A1ser');
    const real = await t.app.inject({ method: 'GET', url: '/search?q=' + encodeURIComponent('impresora color'), headers: { 'accept-language': 'es' } });
    expect(real.body).toContain('no imprime en');
    expect(real.body).not.toContain('weak-results');
  });
});

describe('the CLI speaks CLI (item 17)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-ux-cli-'));
  const env = { ...process.env, DATABASE_PATH: path.join(dir, 'cli.db'), NODE_ENV: 'test', BASE_URL: '' };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('set-role for an unknown user says so and exits non-zero', async () => {
    const failure = await run(process.execPath, [path.join(REPO_ROOT, 'bin/resuelto.js'), 'set-role', 'nobody', 'staff'], { cwd: REPO_ROOT, env, timeout: 60_000 }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failure ? failure.code : 0).toBe(1);
    expect((failure as { stderr: string }).stderr.trim()).toBe('No user named nobody.');
  });

  it('a port already in use is one line naming PORT', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const failure = await run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/server.ts')], { cwd: REPO_ROOT, env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, timeout: 60_000 }).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect('code' in failure ? failure.code : 0).toBe(1);
      const lines = (failure as { stderr: string }).stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${port}`);
      expect(lines[0]).toContain('PORT');
    } finally {
      blocker.close();
    }
  });
});

describe('the visitor’s language first, and a language filter (item 9)', () => {
  it('the home page lists the visitor’s language first; /questions and /search filter by language', async () => {
    const english = await ask(staff.auth, 'The invoice download button does nothing at all', 'When I press the invoice download button on the billing page nothing happens at all.');
    const spanish = await ask(staff.auth, 'El botón de descargar la factura no hace nada', 'Cuando pulso el botón de descargar la factura en la página de pagos no pasa nada.');
    // The English question is the most recently active one.
    await answer(staff.auth, english.id, 'Allow pop-ups for the billing page, then press the button again.');
    await t.app.searchIndex.sync();
    const titlesIn = (html: string) => [...html.matchAll(/<h[23] class="summary-title"[^>]*><a href="\/questions\/(\d+)\//g)].map((m) => Number(m[1]));
    const homeEs = titlesIn((await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-language': 'es' } })).body);
    expect(homeEs.indexOf(spanish.id)).toBeLessThan(homeEs.indexOf(english.id));
    const homeEn = titlesIn((await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-language': 'en' } })).body);
    expect(homeEn.indexOf(english.id)).toBeLessThan(homeEn.indexOf(spanish.id));
    // A choice kept in the cookie wins over Accept-Language, and gets its own kept page.
    const chosen = titlesIn((await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-language': 'en', cookie: 'resuelto_lang=es' } })).body);
    expect(chosen.indexOf(spanish.id)).toBeLessThan(chosen.indexOf(english.id));

    const onlyEs = titlesIn((await t.app.inject({ method: 'GET', url: '/questions?lang=es' })).body);
    expect(onlyEs).toContain(spanish.id);
    expect(onlyEs).not.toContain(english.id);
    const bogus = await t.app.inject({ method: 'GET', url: '/questions?lang=xx' });
    expect(bogus.statusCode).toBe(200);

    const api = async (q: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}&lang=es` })).json() as { items: { id: number }[] };
    const filtered = (await api('invoice factura download descargar')).items.map((i) => i.id);
    expect(filtered).toContain(spanish.id);
    expect(filtered).not.toContain(english.id);
  });
});

describe('avatars, the users directory, profiles and tag pages', () => {
  it('draws the same local SVG for the same name, and a different one for another', async () => {
    const a = await t.app.inject({ method: 'GET', url: '/users/Ana/avatar.svg' });
    expect(a.statusCode).toBe(200);
    expect(a.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(a.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect((await t.app.inject({ method: 'GET', url: '/users/ana/avatar.svg' })).body).toBe(a.body);
    expect((await t.app.inject({ method: 'GET', url: '/users/bruno/avatar.svg' })).body).not.toBe(a.body);
  });

  it('lists users by reputation or newest, finds them by name (LIKE wildcards taken literally)', async () => {
    const found = await createUser(t.db, 'member', `zelda_${++seq}`);
    const byName = await t.app.inject({ method: 'GET', url: `/users?q=${encodeURIComponent(found.username.slice(0, 7))}` });
    expect(byName.statusCode).toBe(200);
    expect(byName.body).toContain(`/users/${found.username}"`);
    const wildcard = await t.app.inject({ method: 'GET', url: '/users?q=%25' });
    expect(wildcard.body).not.toContain(`/users/${found.username}"`);
    expect((await t.app.inject({ method: 'GET', url: '/users?sort=newest' })).body).toContain(`/users/${found.username}"`);
    expect((await t.app.inject({ method: 'GET', url: '/users?sort=bogus' })).statusCode).toBe(200);
  });

  it('a member edits display name, about (Markdown, sanitized), location and language; every error at once', async () => {
    const { user, browser } = await loginAs(t.app, t.db, 'member');
    const bad = await browser.submit('/profile/edit', { displayName: '   ', about: 'x'.repeat(3001), location: 'y'.repeat(101), locale: 'fr' }, { headers: { 'accept-language': 'en' } });
    expect(bad.statusCode).toBe(400);
    for (const field of ['displayName', 'about', 'location', 'locale']) expect(bad.body).toContain(`href="#field-${field}"`);
    const ok = await browser.submit('/profile/edit', { displayName: 'Ana García', about: 'I fix **routers**. <script>alert(1)</script>', location: 'Sevilla', locale: 'es' });
    expect(ok.statusCode).toBe(303);
    expect(ok.cookies.find((c) => c.name === 'resuelto_lang')?.value).toBe('es');
    const profile = await t.app.inject({ method: 'GET', url: `/users/${user.username}`, headers: { 'accept-language': 'en' } });
    expect(profile.body).toContain('Ana García');
    expect(profile.body).toContain('<strong>routers</strong>');
    expect(profile.body).not.toContain('<script>alert(1)</script>');
    expect(profile.body).toContain('Sevilla');
    expect((t.db.$client.prepare('select locale from users where id = ?').get(user.id) as { locale: string }).locale).toBe('es');
  });

  it('a tag page shows the description staff wrote and the top answerers; members cannot edit it', async () => {
    const { id } = await ask(staff.auth);
    const answerer = await tokenFor(t.app, t.db, 'member');
    await answer(answerer.auth, id, 'Hold the reset button for ten seconds, then wait.');
    const member = await loginAs(t.app, t.db, 'member');
    const refused = await member.browser.submit('/tags/router/edit', { description: 'Mine now' });
    expect(refused.statusCode).toBe(403);
    const staffBrowser = await loginAs(t.app, t.db, 'staff');
    const saved = await staffBrowser.browser.submit('/tags/router/edit', { description: 'Questions about **routers** and Wi-Fi.' });
    expect(saved.statusCode).toBe(303);
    const page = await t.app.inject({ method: 'GET', url: '/tags/router', headers: { 'accept-language': 'en' } });
    expect(page.body).toContain('<strong>routers</strong>');
    expect(page.body).toContain(`/users/${answerer.user.username}"`);
    expect((await t.app.inject({ method: 'GET', url: '/tags/no-such-tag' })).statusCode).toBe(404);
  });
});

describe('admin settings and first steps (items 12, 13)', () => {
  it('every setting is on /admin/settings, grouped, with its default; a bad value is refused next to it; absent new fields keep their value', async () => {
    const { browser } = await loginAs(t.app, t.db, 'admin');
    const page = await browser.get('/admin/settings', { 'accept-language': 'en' });
    const { settingDefinitions } = await import('../../src/features/settings/definitions.ts');
    for (const key of Object.keys(settingDefinitions)) expect(page.body, key).toContain(`name="${key}"`);
    for (const legend of ['Site', 'Languages', 'Reputation', 'Privileges', 'Posting limits', 'Deflection report']) expect(page.body).toContain(`<legend>${legend}</legend>`);
    expect(page.body).toContain('Default: 15');
    // What the form holds: every setting as text (the page shows them so).
    const values = Object.fromEntries(Object.entries(t.app.settings()).map(([key, value]) => [key, String(value)]));
    const bad = await browser.submit('/admin/settings', { ...values, defaultLocale: 'es', privilegeVoteUp: '0', siteName: 'Ayuda de Acme' }, { headers: { 'accept-language': 'en' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#field-privilegeVoteUp"');
    const ok = await browser.submit('/admin/settings', { ...values, defaultLocale: 'es', privilegeVoteUp: '20', siteName: 'Ayuda de Acme' });
    expect(ok.statusCode, [...ok.body.matchAll(/href="#field-[^"]+">[^<]*/g)].join("; ")).toBe(303);
    const thread = await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-language': 'en' } });
    expect(thread.body).toContain('Ayuda de Acme');
    setSetting(t.db, 'siteName', '');
    setSetting(t.db, 'privilegeVoteUp', 15);
  });

  it('after setup the admin lands on a checklist that marks what is done', async () => {
    const { browser } = await loginAs(t.app, t.db, 'admin');
    const before = await browser.get('/admin/welcome', { 'accept-language': 'es' });
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain('Primeros pasos');
    expect(before.body).toContain('href="/admin/settings#field-supportUrl"');
    expect(before.body.match(/is-todo/g)?.length).toBeGreaterThanOrEqual(3);
    const member = await loginAs(t.app, t.db, 'member');
    expect((await member.browser.get('/admin/welcome')).statusCode).toBe(403);
  });
});

describe('Markdown editing help', () => {
  it('the answer form’s Preview button shows the rendered text without posting; the edit forms have one too', async () => {
    const { id } = await ask(staff.auth);
    const { browser } = await loginAs(t.app, t.db, 'member');
    const before = count('answers');
    const response = await browser.submit(`/questions/${id}/answers`, { body: 'Use **bold** and <script>alert(1)</script>', preview: '1' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<strong>bold</strong>');
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).toContain('Use **bold**');
    expect(count('answers')).toBe(before);
  });

  it('POST /api/v1/preview renders for a signed-in member (CSRF-checked with a cookie), 401 otherwise', async () => {
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/preview', payload: { text: '**x**' } });
    expect(anonymous.statusCode).toBe(401);
    const member = await tokenFor(t.app, t.db, 'member');
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/preview', headers: member.auth, payload: { text: '- one\n- [two](javascript:alert(1))' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().html).toContain('<li>one</li>');
    expect(ok.json().html).not.toContain('javascript:');
    const { browser } = await loginAs(t.app, t.db, 'member');
    const noToken = await browser.api('POST', '/api/v1/preview', { text: 'x' });
    expect(noToken.statusCode).toBe(403);
  });
});

describe('the new pages are valid HTML in both languages', () => {
  it('users, tag, profile edit, checklist, settings, a thread with locked controls, a weak search, a 404', async () => {
    const { validateHtml } = await import('../e2e/harness.ts');
    const { id } = await ask(staff.auth);
    await answer(staff.auth, id, 'Restart the router and wait for two minutes, then try again.');
    const admin = await loginAs(t.app, t.db, 'admin');
    const member = await loginAs(t.app, t.db, 'member');
    const thread = `/questions/${id}/${threadUrl(id).slug}`;
    const pages: [Browser, string][] = [
      [member.browser, '/users'],
      [member.browser, '/tags/router'],
      [member.browser, '/profile/edit'],
      [member.browser, thread],
      [member.browser, '/search?q=xyzzy%20plugh%20impresora'],
      [member.browser, '/questions/abc'],
      [admin.browser, '/admin/welcome'],
      [admin.browser, '/admin/settings'],
    ];
    for (const lang of ['es', 'en']) {
      for (const [browser, url] of pages) {
        const response = await browser.get(url, { 'accept-language': lang });
        expect(await validateHtml(response.body, `${url} (${lang})`), `${url} (${lang})`).toEqual([]);
      }
    }
  });
});
