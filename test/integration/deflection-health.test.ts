// Response health per week in the deflection report (issue 13): the same computation as the desk's
// (desk/health.ts), on real rows with a fixed "now": the share answered within the target, the median time to
// a first answer by members and by staff, and the open breaches — in the page (chart and table, both
// languages) and in the CSV export, staff only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAnswer } from '../../src/features/answers/service.ts';
import { weeklyHealth, healthCsv } from '../../src/features/deflection/pages.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { buildTestApp, createUser, loginAs, type TestApp } from '../helper.ts';

let t: TestApp;
const PERIOD = { from: '2026-11-02', to: '2026-11-15' };
const NOW = new Date('2026-11-20T00:00:00Z');
const at = (iso: string) => new Date(iso);
type Poster = Parameters<typeof askQuestion>[1];

beforeAll(async () => {
  t = await buildTestApp();
  setSetting(t.db, 'firstResponseTargetHours', 24);
  setSetting(t.db, 'deskBusinessHours', '');
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberQuestionsPerDay', 100);
  const poster = async (role: 'member' | 'staff') => ({ ...(await createUser(t.db, role)), reputation: 1, createdAt: new Date(0) }) as unknown as Poster;
  const asker = await poster('member');
  const staff = await poster('staff');
  const settings = t.app.settings();
  let n = 0;
  const ask = (iso: string) => askQuestion(t.db, asker, { title: `My printer number ${++n} prints blank pages`, body: `Printer ${n} feeds the paper but every page comes out blank.`, tags: 'printers' }, settings, at(iso)).id;
  const answer = async (who: Poster | 'member', questionId: number, iso: string) =>
    postAnswer(t.db, who === 'member' ? await poster('member') : who, questionId, { body: `Clean the print head from the maintenance menu (${questionId}, ${iso}).` }, settings, at(iso));
  // Week 1 (2 to 8 November): one answered in 2 h by a member (staff the next day), one by staff after 48 h, one never.
  const q1 = ask('2026-11-02T10:00:00Z');
  const q2 = ask('2026-11-03T10:00:00Z');
  ask('2026-11-04T10:00:00Z');
  // Week 2 (9 to 15 November): one answered in 30 min by a member.
  const q4 = ask('2026-11-10T10:00:00Z');
  // Outside the period: not counted.
  const outside = ask('2026-11-17T10:00:00Z');
  await answer('member', q1, '2026-11-02T12:00:00Z');
  await answer(staff, q1, '2026-11-03T12:00:00Z');
  await answer(staff, q2, '2026-11-05T10:00:00Z');
  await answer('member', q4, '2026-11-10T10:30:00Z');
  void outside;
});
afterAll(async () => {
  await t?.close();
});

describe('the weekly figures', () => {
  it('come from desk/health.ts per week of the period, counted at a fixed now', () => {
    const weeks = weeklyHealth(t.db, t.app.settings(), PERIOD, NOW);
    expect(weeks.map((w) => w.from.toISOString().slice(0, 10))).toEqual(['2026-11-02', '2026-11-09']);
    expect(weeks[0]).toMatchObject({ asked: 3, medianMinutesMembers: 120, medianMinutesStaff: 2220, openBreaches: 1 });
    expect(weeks[0].withinTarget).toBeCloseTo(1 / 3, 5);
    expect(weeks[1]).toMatchObject({ asked: 1, withinTarget: 1, medianMinutesMembers: 30, medianMinutesStaff: null, openBreaches: 0 });
  });

  it('an open question is not yet a breach before its target has passed (an answer after now does not count yet)', () => {
    const early = weeklyHealth(t.db, t.app.settings(), PERIOD, at('2026-11-04T09:00:00Z'));
    expect(early[0].openBreaches).toBe(0);
  });

  it('the CSV has one row per week: plain numbers, empty cells where nothing was measured', () => {
    const csv = healthCsv(weeklyHealth(t.db, t.app.settings(), PERIOD, NOW), 24);
    expect(csv.split('\r\n')).toEqual([
      'week_start,questions_asked,answered_within_target_share,target_hours,median_minutes_to_first_answer_members,median_minutes_to_first_answer_staff,open_breaches',
      '2026-11-02,3,0.3333,24,120,2220,1',
      '2026-11-09,1,1,24,30,,0',
      '',
    ]);
  });
});

describe('in the report page and its export', () => {
  it('staff see the weekly section with its SVG chart and table, in English and Spanish', async () => {
    const { browser } = await loginAs(t.app, t.db, 'staff');
    const en = await browser.get(`/staff/reports/deflection?from=${PERIOD.from}&to=${PERIOD.to}`, { 'accept-language': 'en' });
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('Response health per week');
    expect(en.body).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg"');
    expect(en.body).toContain('aria-labelledby="health-chart-title health-chart-desc"');
    expect(en.body).toContain('50% of the 4 questions asked in the period got a first answer within 24 h.');
    expect(en.body).toMatch(/<td class="num">33\.3%<\/td>\s*<td class="num">2 h<\/td>\s*<td class="num">37 h<\/td>\s*<td class="num">1<\/td>/);
    expect(en.body).toContain('href="/staff/reports/deflection.csv?from=2026-11-02&amp;to=2026-11-15&amp;series=health"');
    const es = await browser.get(`/staff/reports/deflection?from=${PERIOD.from}&to=${PERIOD.to}`, { 'accept-language': 'es' });
    expect(es.body).toContain('Salud de las respuestas por semana');
    expect(es.body).toContain('Semana desde');
    expect(es.body).toMatch(/33,3\s?%/);
  });

  it('the CSV export gives the weekly rows with series=health; the daily series stays the default', async () => {
    const { browser } = await loginAs(t.app, t.db, 'staff');
    const health = await browser.get(`/staff/reports/deflection.csv?from=${PERIOD.from}&to=${PERIOD.to}&series=health`);
    expect(health.statusCode).toBe(200);
    expect(health.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(health.headers['content-disposition']).toBe('attachment; filename="response-health-2026-11-02-to-2026-11-15.csv"');
    expect(health.headers['cache-control']).toBe('private, no-store');
    expect(health.body.split('\r\n')[0]).toMatch(/^week_start,/);
    expect(health.body.split('\r\n')).toHaveLength(4);
    const daily = await browser.get(`/staff/reports/deflection.csv?from=${PERIOD.from}&to=${PERIOD.to}`);
    expect(daily.body.split('\r\n')[0]).toMatch(/^date,deflected_low/);
    expect((await browser.get(`/staff/reports/deflection.csv?from=${PERIOD.from}&to=${PERIOD.to}&series=weekly`)).statusCode).toBe(400);
  });

  it('members, moderators and visitors get none of it', async () => {
    const url = `/staff/reports/deflection.csv?from=${PERIOD.from}&to=${PERIOD.to}&series=health`;
    for (const role of ['member', 'moderator'] as const) {
      const { browser } = await loginAs(t.app, t.db, role);
      const response = await browser.get(url);
      expect(response.statusCode, role).toBe(403);
      expect(response.body).not.toContain('week_start');
    }
    const anonymous = await t.app.inject({ method: 'GET', url });
    expect([302, 303, 401]).toContain(anonymous.statusCode);
    expect(anonymous.body).not.toContain('week_start');
  });
});
