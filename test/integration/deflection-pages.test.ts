// The staff deflection report page, its CSV export and the admin settings page, through HTTP: who may see
// them, exact figures for a scripted journey, period validation, and all-or-nothing settings saves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.ts';
import { acceptAnswer, postAnswer } from '../../src/features/answers/service.ts';
import { recordEvent, type Visit } from '../../src/features/deflection/service.ts';
import type { DeflectionKind } from '../../src/db/schema.ts';
import type { Poster } from '../../src/features/questions/limits.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting, setSettings } from '../../src/features/settings/service.ts';
import { validateHtml } from '../e2e/harness.ts';
import { Browser, buildTestApp, createUser, loginAs, tokenFor, type TestApp } from '../helper.ts';

type RoleName = 'visitor' | 'member' | 'moderator' | 'staff' | 'admin';
const ROLE_NAMES: RoleName[] = ['visitor', 'member', 'moderator', 'staff', 'admin'];
const EXPECTED: Record<RoleName, number> = { visitor: 401, member: 403, moderator: 403, staff: 200, admin: 200 };

let t: TestApp;
const browsers = new Map<RoleName, Browser>();
const tokens = new Map<RoleName, Record<string, string>>();
const ids: Record<string, number> = {};

const PERIOD = 'from=2024-03-01&to=2024-03-03';
const at = (iso: string) => new Date(iso);
const poster = (id: number): Poster =>
  t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, id)).get()!;

function visit(visitorId: string, extra: Partial<Visit> = {}): Visit {
  return { visitorId, userId: null, role: null, isBot: false, ip: '203.0.113.7', ...extra };
}

function event(v: Visit, kind: DeflectionKind, iso: string, fields: Parameters<typeof recordEvent>[4] = {}): void {
  recordEvent(t.db, v, getSettings(t.db), kind, fields, at(iso));
}

/** Questions and answers at fixed times, then visitor events on 2024-03-01..03 (see the CSV test for the figures). */
async function scriptJourney(): Promise<void> {
  const asker = (await createUser(t.db)).id;
  const helper = (await createUser(t.db)).id;
  const staffer = (await createUser(t.db, 'staff')).id;
  const settings = () => getSettings(t.db);

  // q1: long answered and accepted (before the period): a "good answer" thread.
  const q1 = askQuestion(t.db, poster(asker), { title: 'How do I reset my router to factory settings?', body: 'The router keeps dropping the connection every evening.', tags: ['router', 'wifi'] }, settings(), at('2024-02-20T08:00:00Z'));
  const a1 = postAnswer(t.db, poster(helper), q1.id, { body: 'Hold the reset button for ten seconds, then wait two minutes.' }, settings(), at('2024-02-20T09:00:00Z'));
  acceptAnswer(t.db, poster(asker), q1.id, a1.id, settings(), at('2024-02-21T09:00:00Z'));
  // q3: asked on day 1, answered by staff after 60 minutes and accepted: staff-resolved.
  const q3 = askQuestion(t.db, poster(asker), { title: 'Why was I charged twice on my March invoice?', body: 'Two identical charges appear on my card statement.', tags: ['billing'] }, settings(), at('2024-03-01T08:00:00Z'));
  const a3 = postAnswer(t.db, poster(staffer), q3.id, { body: 'The second charge is a pre-authorisation and disappears within three days.' }, settings(), at('2024-03-01T09:00:00Z'));
  acceptAnswer(t.db, poster(asker), q3.id, a3.id, settings(), at('2024-03-01T10:00:00Z'));
  // q2: asked on day 2 by the visitor whose deflection failed; never answered.
  const q2 = askQuestion(t.db, poster(asker), { title: 'Can I pay my bill with a bank transfer instead?', body: 'I would rather not use a card for the monthly bill.', tags: ['billing'] }, settings(), at('2024-03-02T13:00:00Z'));
  // q4: asked on day 3, answered by a member after 120 minutes and accepted: peer-resolved.
  const q4 = askQuestion(t.db, poster(asker), { title: 'The TV box shows error 301 after the update', body: 'Since last night the set-top box only shows error 301.', tags: ['tv'] }, settings(), at('2024-03-03T08:00:00Z'));
  const a4 = postAnswer(t.db, poster(helper), q4.id, { body: 'Unplug the box for a minute; error 301 clears after the restart.' }, settings(), at('2024-03-03T10:00:00Z'));
  acceptAnswer(t.db, poster(asker), q4.id, a4.id, settings(), at('2024-03-03T11:00:00Z'));
  Object.assign(ids, { q1: q1.id, q2: q2.id, q3: q3.id, q4: q4.id });

  // Day 1. A searches, clicks, reads and says "solved": a confirmed deflection.
  const a = visit('va');
  event(a, 'search', '2024-03-01T10:00:00Z', { query: 'router reset', resultCount: 1 });
  event(a, 'result_click', '2024-03-01T10:05:00Z', { questionId: q1.id, rank: 1 });
  event(a, 'thread_view', '2024-03-01T10:05:00Z', { questionId: q1.id });
  event(a, 'solved', '2024-03-01T10:10:00Z', { questionId: q1.id });
  // B searches for something the forum does not have.
  event(visit('vb'), 'search', '2024-03-01T11:00:00Z', { query: 'Fax  Machine', resultCount: 0 });
  // Never recorded: a bot, and a staff member.
  event(visit('vbot', { isBot: true }), 'solved', '2024-03-01T12:00:00Z', { questionId: q1.id });
  event(visit('vstaff', { userId: staffer, role: 'staff' }), 'solved', '2024-03-01T12:00:00Z', { questionId: q1.id });
  // Day 2. C reads the accepted answer (potential) and searches without clicking anything.
  const c = visit('vc');
  event(c, 'search', '2024-03-02T08:55:00Z', { query: 'wifi slow', resultCount: 3 });
  event(c, 'thread_read', '2024-03-02T09:00:00Z', { questionId: q1.id });
  // D opens the answered thread, then asks anyway: a failed deflection, about billing.
  const d = visit('vd');
  event(d, 'thread_view', '2024-03-02T12:00:00Z', { questionId: q1.id });
  event(d, 'question_posted', '2024-03-02T13:00:00Z', { questionId: q2.id });
}

beforeAll(async () => {
  t = await buildTestApp();
  setSettings(t.db, {
    signInPerIpPerMinute: 10_000,
    postsPerIpPerMinute: 10_000,
    secondsBetweenPosts: 0,
    newMemberSecondsBetweenPosts: 0,
    newMemberQuestionsPerDay: 1000,
    newMemberAnswersPerDay: 1000,
    duplicateBodyMinutes: 0,
  });
  browsers.set('visitor', new Browser(t.app));
  tokens.set('visitor', {});
  for (const role of ROLE_NAMES.slice(1) as Exclude<RoleName, 'visitor'>[]) {
    browsers.set(role, (await loginAs(t.app, t.db, role)).browser);
    tokens.set(role, (await tokenFor(t.app, t.db, role)).auth);
  }
  await scriptJourney();
});
afterAll(async () => {
  await t?.close();
});

const page = (role: RoleName, url: string, headers: Record<string, string> = {}) => browsers.get(role)!.get(url, { 'accept-language': 'en', ...headers });
const submit = (role: RoleName, url: string, fields: Record<string, string>, options: { csrf?: null; lang?: string } = {}) =>
  browsers.get(role)!.submit(url, fields, { ...(options.csrf === null ? { csrf: null } : {}), headers: { 'accept-language': options.lang ?? 'en' } });
const settingsRows = () => JSON.stringify(t.db.$client.prepare('select key, value from settings order by key').all());

describe('who may see the report', () => {
  for (const role of ROLE_NAMES) {
    it(`${role}: page ${EXPECTED[role]}, CSV ${EXPECTED[role]}, API ${EXPECTED[role]}`, async () => {
      const html = await page(role, `/staff/reports/deflection?${PERIOD}`);
      expect(html.statusCode).toBe(EXPECTED[role]);
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      const csv = await page(role, `/staff/reports/deflection.csv?${PERIOD}`);
      expect(csv.statusCode).toBe(EXPECTED[role]);
      const api = await t.app.inject({ method: 'GET', url: `/api/v1/reports/deflection?${PERIOD}`, headers: tokens.get(role) });
      expect(api.statusCode).toBe(EXPECTED[role]);
      if (EXPECTED[role] === 200) {
        expect(html.body).toContain('<h1>Deflection report</h1>');
        expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      } else {
        expect(html.body).not.toContain('Deflected contacts');
        expect(csv.headers['content-type']).not.toMatch(/csv/);
        expect(csv.body).not.toContain('deflected_low');
        expect(api.json().error.code).toBe(EXPECTED[role] === 401 ? 'not_signed_in' : 'forbidden');
      }
    });
  }

  it('asks for sign-in or refuses before looking at the dates', async () => {
    expect((await page('visitor', '/staff/reports/deflection?from=nonsense')).statusCode).toBe(401);
    expect((await page('member', '/staff/reports/deflection.csv?from=nonsense')).statusCode).toBe(403);
  });

  it('the header links to the report for staff and admins only, and to the settings for admins only', async () => {
    const links = async (role: RoleName) => {
      const body = (await page(role, '/')).body;
      return { report: body.includes('href="/staff/reports/deflection"'), settings: body.includes('href="/admin/settings"') };
    };
    expect(await links('visitor')).toEqual({ report: false, settings: false });
    expect(await links('member')).toEqual({ report: false, settings: false });
    expect(await links('moderator')).toEqual({ report: false, settings: false });
    expect(await links('staff')).toEqual({ report: true, settings: false });
    expect(await links('admin')).toEqual({ report: true, settings: true });
    const current = await page('staff', '/staff/reports/deflection');
    expect(current.body).toContain('<a href="/staff/reports/deflection" aria-current="page">Deflection report</a>');
  });
});

describe('the CSV export', () => {
  it('has the exact header and one row per day of the scripted journey', async () => {
    const response = await page('staff', `/staff/reports/deflection.csv?${PERIOD}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="deflection-2024-03-01-to-2024-03-03.csv"');
    expect(response.headers['cache-control']).toBe('private, no-store');
    expect(response.body).toBe(
      [
        'date,deflected_low,deflected_estimate,deflected_high,searches,questions_asked,provisional',
        '2024-03-01,1,1,1,2,1,false',
        '2024-03-02,0,0.2,1,1,1,false',
        '2024-03-03,0,0,0,0,1,false',
        '',
      ].join('\r\n'),
    );
  });

  it('agrees with the API, whatever the language of the request', async () => {
    const api = (await t.app.inject({ method: 'GET', url: `/api/v1/reports/deflection?${PERIOD}`, headers: tokens.get('staff') })).json();
    const csv = await page('admin', `/staff/reports/deflection.csv?${PERIOD}`, { 'accept-language': 'es' });
    const rows = csv.body.trim().split('\r\n').slice(1).map((line) => line.split(','));
    expect(rows.map((r) => [r[0], Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5])])).toEqual(
      api.series.map((d: { date: string; low: number; estimate: number; high: number; searches: number; questionsAsked: number }) => [d.date, d.low, d.estimate, d.high, d.searches, d.questionsAsked]),
    );
  });

  it('marks today as provisional', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const response = await page('staff', `/staff/reports/deflection.csv?from=${today}&to=${today}`);
    expect(response.body.split('\r\n')[1]).toMatch(new RegExp(`^${today},.*,true$`));
  });

  it('refuses a bad period with 400', async () => {
    const response = await page('staff', '/staff/reports/deflection.csv?from=2024-13-01');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Dates are written YYYY-MM-DD.');
  });
});

describe('the report page', () => {
  it('shows the figures of the scripted journey, formatted for English', async () => {
    const { body, statusCode } = await page('staff', `/staff/reports/deflection?${PERIOD}`);
    expect(statusCode).toBe(200);
    const figure = (label: string) => new RegExp(`<dt>${label.replace(/[()]/g, '\\$&')}</dt><dd>([^<]*)</dd>`).exec(body)?.[1];
    expect(figure('Low (confirmed)')).toBe('1');
    expect(figure('Estimate')).toBe('1.2');
    expect(figure('High')).toBe('2');
    expect(figure('Peer-resolved questions')).toBe('1');
    expect(figure('Staff-resolved questions')).toBe('1');
    // (deflected + peer-resolved) × (8 − 1)
    expect(figure('Savings, low')).toBe('$14.00');
    expect(figure('Savings, estimate')).toBe('$15.40');
    expect(figure('Savings, high')).toBe('$21.00');
    expect(figure('Searches')).toBe('3');
    expect(figure('Searches without results')).toBe('1');
    expect(figure('Searches without clicks')).toBe('1');
    expect(figure('Questions asked')).toBe('3');
    expect(figure('Failed deflections')).toBe('1');
    expect(figure('Answer rate')).toBe('66.7%');
    expect(figure('Median time to first answer')).toBe('90 min');
    expect(figure('Accepted-answer rate')).toBe('66.7%');
    expect(figure('Resolved by peers')).toBe('50%');
    expect(figure('Resolved by staff')).toBe('50%');

    // The chart, described for screen readers, and its figures as a table.
    expect(body).toMatch(/<svg [^>]*role="img" aria-labelledby="deflection-chart-title deflection-chart-desc">/);
    expect(body).toContain('<title id="deflection-chart-title">Deflected contacts per day</title>');
    expect(body).toContain('From Mar 1, 2024 to Mar 3, 2024: 1.2 deflected contacts estimated in all, between 1 (confirmed only) and 2.');
    expect(body).not.toMatch(/\sstyle=/);
    expect(body).toContain('<summary>Every day as a table</summary>');
    expect(body).toContain('<th scope="row"><time datetime="2024-03-02">Mar 2, 2024</time></th>');

    // Lists: the thread that deflected, the content gaps, the failed tag, the waiting question.
    expect(body).toContain(`<a href="/questions/${ids.q1}/how-do-i-reset-my-router-to-factory-settings">How do I reset my router to factory settings?</a>`);
    expect(body).toContain('<a href="/search?q=fax%20machine">fax machine</a>');
    expect(body).toContain('<a href="/search?q=wifi%20slow">wifi slow</a>');
    expect(body).toContain('<a class="tag" href="/questions?tag=billing">billing</a>');
    expect(body).toMatch(new RegExp(`<li><a href="/questions/${ids.q2}/[^"]+">Can I pay my bill with a bank transfer instead\\?</a>`));

    // How this is counted: the rules with the values in force.
    expect(body).toContain('<h2 id="how-heading">How this is counted</h2>');
    expect(body).toContain('within the next 72 hours (the window W)');
    expect(body).toContain('The estimate adds 20% of the potential deflections (r = 0.2)');
    expect(body).toContain('(deflected + peer-resolved) × ($8.00 − $1.00) = (deflected + peer-resolved) × $7.00');
    expect(body).toContain('Holdout: off.');
    expect(body).not.toContain('holdout-heading');
    expect(body).toContain(`href="/staff/reports/deflection.csv?from=2024-03-01&amp;to=2024-03-03"`);
  });

  it('speaks Spanish, with Spanish number and money formats', async () => {
    const { body } = await page('staff', `/staff/reports/deflection?${PERIOD}`, { 'accept-language': 'es' });
    expect(body).toContain('<h1>Informe de desvío</h1>');
    expect(body).toContain('<dt>Estimación</dt><dd>1,2</dd>');
    expect(body).toMatch(/<dt>Ahorro estimado<\/dt><dd>15,40\sUS\$<\/dd>/);
    expect(body).toContain('Cómo se cuenta');
    expect(body).toContain('(la ventana W)');
  });

  it('follows the settings: currency, costs, r and W', async () => {
    const before = getSettings(t.db);
    try {
      setSettings(t.db, { currency: 'EUR', costPerContact: 10, costPerCommunityContact: 2, deflectionPotentialShare: 0.5, deflectionWindowHours: 48 });
      const { body } = await page('staff', `/staff/reports/deflection?${PERIOD}`);
      expect(body).toContain('<dt>Estimate</dt><dd>1.5</dd>');
      // (1.5 + 1) × (10 − 2)
      expect(body).toContain('<dt>Savings, estimate</dt><dd>€20.00</dd>');
      expect(body).toContain('within the next 48 hours (the window W)');
      expect(body).toContain('(r = 0.5)');
    } finally {
      setSettings(t.db, {
        currency: before.currency,
        costPerContact: before.costPerContact,
        costPerCommunityContact: before.costPerCommunityContact,
        deflectionPotentialShare: before.deflectionPotentialShare,
        deflectionWindowHours: before.deflectionWindowHours,
      });
    }
  });

  it('explains the holdout comparison when a holdout is set', async () => {
    const v = (id: string) => visit(id);
    // Shown suggestions: 2 visits, 1 question; hidden: 2 visits, 2 questions.
    for (const [id, variant, asks] of [
      ['h1', 'shown', true],
      ['h2', 'shown', false],
      ['h3', 'hidden', true],
      ['h4', 'hidden', true],
    ] as const) {
      event(v(id), 'ask_started', '2024-03-10T14:00:00Z', { variant });
      if (asks) event(v(id), 'question_posted', '2024-03-10T14:10:00Z', { questionId: ids.q4 });
    }
    setSetting(t.db, 'holdoutPercent', 10);
    try {
      // A day of its own: the days reported above are rolled up already.
      const { body } = await page('staff', '/staff/reports/deflection?from=2024-03-10&to=2024-03-10');
      expect(body).toContain('<h2 id="holdout-heading">Do suggestions help? (holdout)</h2>');
      expect(body).toContain('10% of visitors (always the same ones) are not shown them');
      expect(body).toContain('<tr><th scope="row">Shown suggestions</th><td class="num">2</td><td class="num">1</td><td class="num">50%</td></tr>');
      expect(body).toContain('<tr><th scope="row">Not shown suggestions</th><td class="num">2</td><td class="num">2</td><td class="num">100%</td></tr>');
      expect(body).toContain('Difference (without minus with suggestions): +50 percentage points. 95% confidence interval: -19.3 to +119.3 points.');
      expect(body).toContain('The interval includes zero');
    } finally {
      setSetting(t.db, 'holdoutPercent', 0);
    }
  });

  it('is valid HTML in every variant: a period, one day, a refused period, with the holdout, in Spanish', async () => {
    setSetting(t.db, 'holdoutPercent', 10);
    try {
      const today = new Date().toISOString().slice(0, 10);
      for (const [url, lang] of [
        [`/staff/reports/deflection?${PERIOD}`, 'en'],
        [`/staff/reports/deflection?${PERIOD}`, 'es'],
        ['/staff/reports/deflection?from=2024-03-10&to=2024-03-10', 'en'],
        [`/staff/reports/deflection?from=${today}&to=${today}`, 'en'],
        ['/staff/reports/deflection?from=2024-03-05&to=2024-03-01', 'es'],
        ['/staff/reports/deflection?from=2024-02-30&to=%3Cb%3E', 'en'],
        ['/staff/reports/deflection', 'en'],
      ]) {
        const response = await page('admin', url, { 'accept-language': lang });
        expect(await validateHtml(response.body, `${url} (${lang})`)).toEqual([]);
      }
    } finally {
      setSetting(t.db, 'holdoutPercent', 0);
    }
  });

  it('marks provisional days', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const { body } = await page('staff', `/staff/reports/deflection?from=${today}&to=${today}`);
    expect(body).toContain('are provisional: their window has not passed yet');
    expect(body).toContain('<tr class="is-provisional">');
    expect(body).toContain('Provisional days');
  });

  it('defaults to the last 30 days', async () => {
    const { body, statusCode } = await page('staff', '/staff/reports/deflection');
    expect(statusCode).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(body).toContain(`id="field-to" name="to" type="date" value="${today}"`);
    expect(body.match(/<tr( class="is-provisional")?>\s*<th scope="row"><time/g)).toHaveLength(30);
  });

  for (const [query, field, message] of [
    ['from=2024-02-30&to=2024-03-03', 'from', 'Dates are written YYYY-MM-DD.'],
    ['from=2024-03-01&to=03/05/2024', 'to', 'Dates are written YYYY-MM-DD.'],
    ['from=%3Cscript%3E', 'from', 'Dates are written YYYY-MM-DD.'],
    ['from=2024-03-05&to=2024-03-01', 'from', 'The period must start before it ends.'],
    ['from=2020-01-01&to=2024-01-01', 'from', 'A report covers at most 366 days.'],
  ] as const) {
    it(`refuses ${query} with a 400 page that says what is wrong`, async () => {
      const response = await page('staff', `/staff/reports/deflection?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('<h1>Deflection report</h1>');
      expect(response.body).toContain('id="error-summary"');
      expect(response.body).toContain(`<p class="field-error" id="error-${field}">${message}</p>`);
      expect(response.body).toMatch(new RegExp(`id="field-${field}"[^>]*aria-invalid="true"`));
      expect(response.body).not.toContain('<script>');
      expect(response.body).not.toContain('Deflected contacts');
    });
  }
});

describe('the admin settings page', () => {
  const VALID = {
    costPerContact: '12.5',
    costPerCommunityContact: '0,75',
    currency: 'eur',
    deflectionWindowHours: '48',
    deflectionPotentialShare: '0.25',
    holdoutPercent: '5',
    supportUrl: 'https://help.example.com/contact',
    internalNetworks: '10.0.0.0/8, 192.168.1.7\r\n2001:db8::/32',
    searchSynonyms: 'wifi, wlan\r\nfactura, invoice',
  };

  for (const role of ROLE_NAMES) {
    const expected = role === 'admin' ? 200 : role === 'visitor' ? 401 : 403;
    it(`${role}: GET ${expected}, and a POST saves nothing`, async () => {
      const before = settingsRows();
      const get = await page(role, '/admin/settings');
      expect(get.statusCode).toBe(expected);
      if (role === 'admin') return;
      expect(get.body).not.toContain('name="costPerContact"');
      const post = await submit(role, '/admin/settings', { ...VALID, currency: 'JPY' });
      expect(post.statusCode).toBe(expected);
      expect(settingsRows()).toBe(before);
    });
  }

  it('shows the current values with labels and hints', async () => {
    const { body } = await page('admin', '/admin/settings');
    expect(body).toContain('<h1>Settings</h1>');
    expect(body).toContain('<label for="field-costPerContact">Cost per assisted contact</label>');
    expect(body).toMatch(/id="field-costPerContact" name="costPerContact" type="text" value="8" inputmode="decimal"/);
    expect(body).toMatch(/id="field-currency" name="currency" type="text" value="USD"/);
    expect(body).toMatch(/id="field-deflectionPotentialShare" name="deflectionPotentialShare" type="text" value="0.2"/);
    expect(body).toMatch(/<textarea id="field-searchSynonyms" name="searchSynonyms"[^>]*>wifi, wlan, inalambrico, wireless\n/);
    expect(body).toContain('name="_csrf"');
  });

  it('refuses a save without the CSRF token', async () => {
    const before = settingsRows();
    const response = await submit('admin', '/admin/settings', VALID, { csrf: null });
    expect(response.statusCode).toBe(403);
    expect(settingsRows()).toBe(before);
  });

  it('saves every field at once, normalised, then says so', async () => {
    const response = await submit('admin', '/admin/settings', VALID);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/settings?saved=1');
    const settings = getSettings(t.db);
    expect(settings.costPerContact).toBe(12.5);
    expect(settings.costPerCommunityContact).toBe(0.75);
    expect(settings.currency).toBe('EUR');
    expect(settings.deflectionWindowHours).toBe(48);
    expect(settings.deflectionPotentialShare).toBe(0.25);
    expect(settings.holdoutPercent).toBe(5);
    expect(settings.supportUrl).toBe('https://help.example.com/contact');
    expect(settings.internalNetworks).toBe('10.0.0.0/8\n192.168.1.7\n2001:db8::/32');
    expect(settings.searchSynonyms).toBe('wifi, wlan\nfactura, invoice');
    const shown = await page('admin', '/admin/settings?saved=1');
    expect(shown.body).toContain('<p class="notice" role="status">Settings saved.</p>');
    expect(shown.body).toMatch(/id="field-costPerCommunityContact" name="costPerCommunityContact" type="text" value="0.75"/);
    // The report uses the new values at once.
    const report = await page('staff', `/staff/reports/deflection?${PERIOD}`);
    expect(report.body).toContain('within the next 48 hours (the window W)');
    expect(report.body).toContain('<dt>Savings, low</dt><dd>€23.50</dd>'); // (1 + 1) × (12.5 − 0.75)
  });

  const BAD: [field: keyof typeof VALID, value: string, message: string][] = [
    ['costPerContact', 'abc', 'Enter a number from 0 to 1000000'],
    ['costPerContact', '-1', 'Enter a number from 0 to 1000000'],
    ['costPerContact', '1,000', 'no thousands separator'],
    ['costPerContact', '', 'Enter a number from 0 to 1000000'],
    ['costPerCommunityContact', '1e3', 'Enter a number from 0 to 1000000'],
    ['currency', 'EURO', 'three-letter currency code'],
    ['currency', 'XXQ', 'three-letter currency code'],
    ['deflectionWindowHours', '0', 'Enter a whole number from 1 to 720.'],
    ['deflectionWindowHours', '721', 'Enter a whole number from 1 to 720.'],
    ['deflectionWindowHours', '2.5', 'Enter a whole number from 1 to 720.'],
    ['deflectionPotentialShare', '1.5', 'Enter a number from 0 to 1,'],
    ['holdoutPercent', '51', 'Enter a whole number from 0 to 50.'],
    ['supportUrl', 'javascript:alert(1)', 'starts with https://, http:// or mailto:'],
    ['supportUrl', 'https://help example.com', 'starts with https://, http:// or mailto:'],
    ['internalNetworks', '10.0.0.0/8\n10.0.0.0/33', '“10.0.0.0/33” is not an address or CIDR block.'],
    ['internalNetworks', 'intranet.local', '“intranet.local” is not an address or CIDR block.'],
    ['internalNetworks', '::1/129', '“::1/129” is not an address or CIDR block.'],
    ['internalNetworks', '10.0.0.0/8/1', '“10.0.0.0/8/1” is not an address or CIDR block.'],
    ['internalNetworks', '192.168.1.0/x', '“192.168.1.0/x” is not an address or CIDR block.'],
    ['searchSynonyms', 'a'.repeat(20_001), 'at most 20,000 characters'],
  ];
  for (const [field, value, message] of BAD) {
    it(`refuses ${field} = ${JSON.stringify(value.slice(0, 30))} with 400, a field error, and saves nothing`, async () => {
      const before = settingsRows();
      // Every other field changes too: none of them may be saved.
      const response = await submit('admin', '/admin/settings', { ...VALID, costPerContact: '99', currency: 'MXN', holdoutPercent: '7', [field]: value });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('id="error-summary"');
      expect(response.body).toContain(`href="#field-${field}"`);
      expect(response.body).toMatch(new RegExp(`<p class="field-error" id="error-${field}">[^<]*${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(response.body).toMatch(new RegExp(`id="field-${field}"[^>]*aria-invalid="true"`));
      // What was typed is shown again, to correct it.
      if (field !== 'searchSynonyms') expect(response.body).toContain(value.replace(/&/g, '&amp;').replace(/</g, '&lt;').split('\n')[0]);
      expect(settingsRows()).toBe(before);
    });
  }

  it('lists every bad field at once', async () => {
    const before = settingsRows();
    const response = await submit('admin', '/admin/settings', { ...VALID, currency: '$', holdoutPercent: '90', internalNetworks: 'nope' });
    expect(response.statusCode).toBe(400);
    for (const field of ['currency', 'holdoutPercent', 'internalNetworks']) expect(response.body).toContain(`href="#field-${field}"`);
    expect(settingsRows()).toBe(before);
  });

  it('refuses a form with a field missing', async () => {
    const before = settingsRows();
    const { currency: _omitted, ...rest } = VALID;
    const response = await submit('admin', '/admin/settings', rest);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('“Currency” is required.');
    expect(settingsRows()).toBe(before);
  });

  it('answers in Spanish', async () => {
    const response = await submit('admin', '/admin/settings', { ...VALID, deflectionWindowHours: 'mucho' }, { lang: 'es' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Escribe un número entero de 1 a 720.');
  });
});

describe('setSettings', () => {
  it('writes nothing when one value is refused, and names it', () => {
    const before = settingsRows();
    expect(() => setSettings(t.db, { holdoutPercent: 3, currency: 'euro' })).toThrow(expect.objectContaining({ statusCode: 400, field: 'currency' }));
    expect(() => setSettings(t.db, { holdoutPercent: 3, nonsense: 1 } as never)).toThrow(expect.objectContaining({ statusCode: 400, field: 'nonsense' }));
    expect(settingsRows()).toBe(before);
  });
});
