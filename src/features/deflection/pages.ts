// Owns the staff pages of the deflection report: the HTML report (period picker, figures, chart, lists,
// "how this is counted") and the CSV export of its daily series. Staff and admins only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.ts';
import type { I18n } from '../../lib/i18n.ts';
import { requireRole } from '../../plugins/auth.ts';
import { questionPath } from '../questions/service.ts';
import { deflectionChart, healthChart } from './chart.ts';
import { responseHealthPeriod, type HealthWeek } from '../desk/health.ts';
import type { Settings } from '../settings/definitions.ts';
import { SEARCH_CLICK_WINDOW_MS, type DeflectionReport } from './estimator.ts';
import { MAX_DAYS, periodFrom } from './period.ts';
import { caseFigures } from '../cases/service.ts';
import { deflectionReport, oldestUnanswered, questionTitles } from './service.ts';

export const REPORT_PATH = '/staff/reports/deflection';
export const CSV_PATH = '/staff/reports/deflection.csv';
const DAY_MS = 86_400_000;
const PRESETS = [7, 30, 90] as const;

// Dates are checked by periodFrom (with a message next to the field), not by the schema.
const PeriodQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 100 })),
  to: Type.Optional(Type.String({ maxLength: 100 })),
});

type Period = { from: string; to: string };

/** The export: the daily deflection series (default), or the weekly response health (`series=health`). */
const CsvQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 100 })),
  to: Type.Optional(Type.String({ maxLength: 100 })),
  series: Type.Optional(Type.Union([Type.Literal('daily'), Type.Literal('health')])),
});

/** The report's days with whether each is still provisional (the report gives only the first such day). */
export function seriesWithStatus(report: DeflectionReport) {
  return report.series.map((day) => ({
    date: day.date,
    low: day.low,
    estimate: day.estimate,
    high: day.high,
    searches: day.searches,
    questionsAsked: day.questionsAsked,
    provisional: report.provisionalFrom !== null && day.date >= report.provisionalFrom,
  }));
}

/** The daily series as CSV (RFC 4180: CRLF, a header row); numbers are plain, never localised. */
export function deflectionCsv(report: DeflectionReport): string {
  const rows = [['date', 'deflected_low', 'deflected_estimate', 'deflected_high', 'searches', 'questions_asked', 'provisional'].join(',')];
  for (const day of seriesWithStatus(report)) {
    rows.push([day.date, day.low, day.estimate, day.high, day.searches, day.questionsAsked, day.provisional].join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

/**
 * Response health per week of the period (desk/health.ts, the same computation as the desk's): the share
 * answered within the first-response target, the median time to a first answer by members and by staff, and
 * the questions still open past the target. One row per week, the week named by its first day.
 */
export function weeklyHealth(db: Parameters<typeof responseHealthPeriod>[0], settings: Settings, period: Period, now = new Date()): HealthWeek[] {
  return responseHealthPeriod(db, settings, new Date(`${period.from}T00:00:00Z`), new Date(Date.parse(`${period.to}T00:00:00Z`) + DAY_MS), now);
}

/** The weekly response health as CSV (RFC 4180); shares 0–1 and minutes, empty when there is nothing to measure. */
export function healthCsv(weeks: HealthWeek[], targetHours: number): string {
  const rows = [['week_start', 'questions_asked', 'answered_within_target_share', 'target_hours', 'median_minutes_to_first_answer_members', 'median_minutes_to_first_answer_staff', 'open_breaches'].join(',')];
  const cell = (value: number | null) => (value === null ? '' : String(Math.round(value * 10_000) / 10_000));
  for (const w of weeks) rows.push([w.from.toISOString().slice(0, 10), w.asked, cell(w.withinTarget), targetHours, cell(w.medianMinutesMembers), cell(w.medianMinutesStaff), w.openBreaches].join(','));
  return rows.join('\r\n') + '\r\n';
}

/** The weekly health for the page: the chart (in the daily chart's style) and the table rows. */
export function weeklyHealthView(weeks: HealthWeek[], i18n: I18n, targetHours: number) {
  const { t } = i18n;
  const percent = (n: number | null) => (n === null ? t('report.noData') : i18n.number(n, { style: 'percent', maximumFractionDigits: 1 }));
  const duration = (minutes: number | null) => {
    if (minutes === null) return t('report.noData');
    if (minutes < 120) return t('report.minutes', { minutes: i18n.number(minutes, { maximumFractionDigits: 1 }) });
    return t('report.hours', { hours: i18n.number(minutes / 60, { maximumFractionDigits: 1 }) });
  };
  const day = (date: string) => i18n.date(utcDay(date));
  const rows = weeks.map((w) => {
    const date = w.from.toISOString().slice(0, 10);
    return { date, text: day(date), asked: i18n.number(w.asked), within: percent(w.withinTarget), members: duration(w.medianMinutesMembers), staff: duration(w.medianMinutesStaff), openBreaches: i18n.number(w.openBreaches) };
  });
  const measured = weeks.filter((w) => w.withinTarget !== null);
  const asked = weeks.reduce((sum, w) => sum + w.asked, 0);
  const within = asked ? weeks.reduce((sum, w) => sum + (w.withinTarget ?? 0) * w.asked, 0) / asked : null;
  const breaches = weeks.reduce((sum, w) => sum + w.openBreaches, 0);
  const chart = healthChart(
    weeks.map((w, i) => ({ date: rows[i].date, withinTarget: w.withinTarget, openBreaches: w.openBreaches })),
    {
      title: t('report.weekly.chartTitle', { hours: targetHours }),
      description: [
        measured.length ? t('report.weekly.desc', { share: percent(within), asked: i18n.number(asked), hours: targetHours }) : t('report.weekly.none'),
        t('report.weekly.descBreaches', { count: breaches }),
        t('report.chart.table'),
      ].join(' '),
      formatDay: day,
      formatNumber: (n) => i18n.number(n),
      formatPercent: (share) => i18n.number(share, { style: 'percent' }),
      idPrefix: 'health-chart',
    },
  );
  return { chart, rows, targetHours };
}

const utcDay = (date: string) => new Date(`${date}T00:00:00.000Z`);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Everything the report page shows, formatted for the reader's language. */
export function reportView(
  report: DeflectionReport,
  i18n: I18n,
  extras: {
    titles: Map<number, { title: string; slug: string }>;
    unanswered: { id: number; title: string; slug: string; createdAt: number }[];
  },
) {
  const { t } = i18n;
  const count = (n: number) => i18n.number(n, { maximumFractionDigits: 2 });
  const money = (n: number) => i18n.number(n, { style: 'currency', currency: report.currency });
  const percent = (n: number | null) => (n === null ? t('report.noData') : i18n.number(n, { style: 'percent', maximumFractionDigits: 1 }));
  const day = (date: string) => i18n.date(utcDay(date));
  const points = (share: number) => i18n.number(share * 100, { maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  const duration = (minutes: number | null) => {
    if (minutes === null) return t('report.noData');
    if (minutes < 120) return t('report.minutes', { minutes: i18n.number(minutes, { maximumFractionDigits: 1 }) });
    return t('report.hours', { hours: i18n.number(minutes / 60, { maximumFractionDigits: 1 }) });
  };

  const series = seriesWithStatus(report);
  const resolved = report.peerResolved + report.staffResolved;
  const totalEstimate = series.reduce((s, d) => s + d.estimate, 0);
  const busiest = series.reduce<(typeof series)[number] | undefined>((best, d) => (best === undefined || d.estimate > best.estimate ? d : best), undefined);
  const description = [
    t('report.chart.desc', {
      from: day(report.from),
      to: day(report.to),
      estimate: count(report.deflected.estimate),
      low: count(report.deflected.low),
      high: count(report.deflected.high),
    }),
    busiest && busiest.estimate > 0 ? t('report.chart.busiest', { day: day(busiest.date), estimate: count(busiest.estimate) }) : t('report.chart.none'),
    report.provisionalFrom ? t('report.chart.provisional', { day: day(report.provisionalFrom) }) : '',
    t('report.chart.table'),
  ]
    .filter(Boolean)
    .join(' ');
  const chart = deflectionChart(series, {
    title: t('report.chart.title'),
    description,
    provisional: t('report.provisional'),
    formatDay: day,
    formatNumber: (n) => i18n.number(n),
    idPrefix: 'deflection-chart',
  });

  const perContact = report.costPerContact - report.costPerCommunityContact;
  let holdout = null;
  if (report.holdout) {
    const h = report.holdout;
    const group = (label: string, g: { visits: number; asked: number }) => ({
      label,
      visits: i18n.number(g.visits),
      asked: i18n.number(g.asked),
      share: g.visits > 0 ? percent(g.asked / g.visits) : t('report.noData'),
    });
    let verdict: string;
    if (h.difference === null || h.ci95 === null) verdict = t('report.holdout.notEnough');
    else if (h.ci95[0] > 0) verdict = t('report.holdout.helps');
    else if (h.ci95[1] < 0) verdict = t('report.holdout.hurts');
    else verdict = t('report.holdout.unclear');
    holdout = {
      intro: t('report.holdout.intro', { share: percent(h.share) }),
      groups: [group(t('report.holdout.with'), h.withSuggestions), group(t('report.holdout.without'), h.withoutSuggestions)],
      result:
        h.difference === null || h.ci95 === null
          ? null
          : t('report.holdout.result', { difference: points(h.difference), low: points(h.ci95[0]), high: points(h.ci95[1]) }),
      verdict,
    };
  }

  const untagged = (tag: string) => (tag === '(untagged)' ? t('report.untagged') : tag);
  const shareOfPotential = i18n.number(report.potentialShare, { style: 'percent', maximumFractionDigits: 1 });
  return {
    period: { from: report.from, to: report.to, fromText: day(report.from), toText: day(report.to), days: series.length },
    provisionalFrom: report.provisionalFrom ? day(report.provisionalFrom) : null,
    deflected: [
      { label: t('report.fig.low'), value: count(report.deflected.low) },
      { label: t('report.fig.estimate'), value: count(report.deflected.estimate) },
      { label: t('report.fig.high'), value: count(report.deflected.high) },
      { label: t('report.fig.peerResolved'), value: i18n.number(report.peerResolved) },
      { label: t('report.fig.staffResolved'), value: i18n.number(report.staffResolved) },
    ],
    savings: [
      { label: t('report.fig.savingsLow'), value: money(report.savings.low) },
      { label: t('report.fig.savingsEstimate'), value: money(report.savings.estimate) },
      { label: t('report.fig.savingsHigh'), value: money(report.savings.high) },
    ],
    savingsNote: t('report.savingsNote', { cost: money(report.costPerContact), communityCost: money(report.costPerCommunityContact), difference: money(perContact) }),
    activity: [
      { label: t('report.fig.searches'), value: i18n.number(report.searches) },
      { label: t('report.fig.searchesWithoutResults'), value: i18n.number(report.searchesWithoutResults) },
      { label: t('report.fig.searchesWithoutClicks'), value: i18n.number(report.searchesWithoutClicks) },
      { label: t('report.fig.questionsAsked'), value: i18n.number(report.questionsAsked) },
      { label: t('report.fig.failed'), value: i18n.number(report.failedDeflections) },
    ],
    health: [
      { label: t('report.fig.answerRate'), value: percent(report.answerRate) },
      { label: t('report.fig.medianFirstAnswer'), value: duration(report.medianMinutesToFirstAnswer) },
      { label: t('report.fig.acceptedRate'), value: percent(report.acceptedRate) },
      { label: t('report.fig.peerShare'), value: percent(resolved ? report.peerResolved / resolved : null) },
      { label: t('report.fig.staffShare'), value: percent(resolved ? report.staffResolved / resolved : null) },
    ],
    chart,
    totalEstimate: count(totalEstimate),
    days: series.map((d) => ({
      date: d.date,
      text: day(d.date),
      low: count(d.low),
      estimate: count(d.estimate),
      high: count(d.high),
      searches: i18n.number(d.searches),
      questionsAsked: i18n.number(d.questionsAsked),
      provisional: d.provisional,
    })),
    topThreads: report.topThreads.map((thread) => {
      const found = extras.titles.get(thread.questionId);
      return {
        title: found?.title ?? t('report.deletedQuestion', { id: String(thread.questionId) }),
        url: found ? questionPath(thread.questionId, found.slug) : null,
        confirmed: i18n.number(thread.confirmed),
        potential: i18n.number(thread.potential),
        credited: count(Math.round((thread.confirmed + report.potentialShare * thread.potential) * 100) / 100),
      };
    }),
    queriesWithoutResults: report.queriesWithoutResults.map((q) => ({ query: q.query, count: i18n.number(q.count) })),
    queriesWithoutClicks: report.queriesWithoutClicks.map((q) => ({ query: q.query, count: i18n.number(q.count) })),
    failedByTag: report.failedByTag.map((f) => ({ tag: untagged(f.tag), isTag: f.tag !== '(untagged)', rawTag: f.tag, count: i18n.number(f.count) })),
    unanswered: extras.unanswered.map((q) => ({
      title: q.title,
      url: questionPath(q.id, q.slug),
      iso: new Date(q.createdAt).toISOString(),
      date: i18n.date(new Date(q.createdAt)),
      ago: i18n.ago(new Date(q.createdAt)),
    })),
    holdout,
    how: [
      t('report.how.people'),
      t('report.how.excluded'),
      t('report.how.confirmed', { hours: report.windowHours }),
      t('report.how.potential', { hours: report.windowHours }),
      t('report.how.onePerDay'),
      t('report.how.range', { share: shareOfPotential, r: i18n.number(report.potentialShare, { maximumFractionDigits: 4 }) }),
      t('report.how.failed', { hours: report.windowHours }),
      t('report.how.resolved'),
      t('report.how.savings', { cost: money(report.costPerContact), communityCost: money(report.costPerCommunityContact), difference: money(perContact) }),
      t('report.how.searches', { minutes: SEARCH_CLICK_WINDOW_MS / 60_000 }),
      t('report.how.health'),
      t('report.how.provisional', { hours: report.windowHours }),
      report.holdout ? t('report.how.holdout', { share: percent(report.holdout.share) }) : t('report.how.holdoutOff'),
    ],
  };
}

/** Links to the last 7, 30 and 90 days, ending today (UTC). */
function presets(i18n: I18n, now = Date.now()) {
  const today = isoDay(now);
  return PRESETS.map((days) => ({
    label: i18n.t('report.period.last', { days }),
    href: `${REPORT_PATH}?${new URLSearchParams({ from: isoDay(Date.parse(`${today}T00:00:00Z`) - (days - 1) * DAY_MS), to: today })}`,
  }));
}

export default async function deflectionPages(app: FastifyInstance) {
  // Before validation: someone who may not see the report learns nothing from its query checks.
  const staffOnly = async (request: FastifyRequest) => {
    requireRole(request, 'staff');
  };

  const readPeriod = (request: FastifyRequest): Period => {
    const { from, to } = request.query as { from?: string; to?: string };
    return periodFrom(from?.trim() || undefined, to?.trim() || undefined);
  };

  app.get(REPORT_PATH, { onRequest: staffOnly, schema: { querystring: PeriodQuery } }, async (request, reply) => {
    const { i18n } = request;
    const query = request.query as { from?: string; to?: string };
    const title = i18n.t('report.title');
    const common = { presets: presets(i18n), maxDays: MAX_DAYS, csvPath: CSV_PATH, reportPath: REPORT_PATH };
    let period: Period;
    try {
      period = readPeriod(request);
    } catch (error) {
      if (!(error instanceof AppError) || error.statusCode !== 400) throw error;
      return reply.page(
        'deflection/report',
        { ...common, values: { from: query.from ?? '', to: query.to ?? '' }, errors: { [error.field ?? 'from']: i18n.t(error.messageKey, error.params) }, view: null },
        { status: 400, title, noindex: true },
      );
    }
    app.deflectionEvents.flush(); // the events of the last moments count too
    const report = deflectionReport(app.db, period, app.settings());
    const view = reportView(report, i18n, {
      titles: questionTitles(
        app.db,
        report.topThreads.map((thread) => thread.questionId),
      ),
      unanswered: oldestUnanswered(app.db, 10),
    });
    // Escalations to private support cases: contacts that did happen (each also logged as contact_support, a
    // failed deflection for that person), opened and solved in the period, and the median time to solve.
    const cases = caseFigures(app.db, new Date(`${period.from}T00:00:00Z`), new Date(Date.parse(`${period.to}T00:00:00Z`) + 86_400_000));
    view.health.push(
      { label: i18n.t('report.fig.casesOpened'), value: i18n.number(cases.opened) },
      { label: i18n.t('report.fig.casesSolved'), value: i18n.number(cases.solved) },
      { label: i18n.t('report.fig.medianToSolve'), value: cases.medianMinutesToSolve === null ? '—' : i18n.t('report.fig.hours', { hours: i18n.number(Math.round((cases.medianMinutesToSolve / 60) * 10) / 10) }) },
    );
    const csvUrl = `${CSV_PATH}?${new URLSearchParams(period)}`;
    const settings = app.settings();
    const weekly = weeklyHealthView(weeklyHealth(app.db, settings, period), i18n, settings.firstResponseTargetHours);
    const healthCsvUrl = `${CSV_PATH}?${new URLSearchParams({ ...period, series: 'health' })}`;
    return reply.page('deflection/report', { ...common, values: period, errors: {}, view, csvUrl, weekly, healthCsvUrl }, { title, noindex: true });
  });

  app.get(CSV_PATH, { onRequest: staffOnly, schema: { querystring: CsvQuery } }, async (request, reply) => {
    const period = readPeriod(request);
    if ((request.query as { series?: string }).series === 'health') {
      const settings = app.settings();
      noStore(reply);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="response-health-${period.from}-to-${period.to}.csv"`)
        .send(healthCsv(weeklyHealth(app.db, settings, period), settings.firstResponseTargetHours));
    }
    app.deflectionEvents.flush(); // the events of the last moments count too
    const report = deflectionReport(app.db, period, app.settings());
    noStore(reply);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="deflection-${period.from}-to-${period.to}.csv"`)
      .send(deflectionCsv(report));
  });
}

/** The report is about the business: no shared cache may keep it. */
function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'private, no-store');
}
