// Owns the arithmetic of the deflection report: a pure function from visitor events and question facts to
// figures. No I/O, so tests give it exact scripted journeys. The staff page explains the same rules in words
// ("How this is counted"); keep the two in step.
//
// Definitions, for a UTC day D and a window W (hours):
// - A person is a signed-in user, or an anonymous visitor (a visitor seen signed in counts as that user).
// - Confirmed deflection: a person-day with a `solved` on a question that has answers, and no
//   `question_posted` or `contact_support` by that person within W after it.
// - Potential deflection: a person-day with a `thread_read` of a question with an accepted or positively
//   scored answer, no `solved`/`not_solved` that day, and no question or support contact within W after.
// - Failed deflection: a person-day that saw suggestions or read/viewed an answered thread, then asked or
//   contacted support within W. Not credited; listed as content to improve.
// - At most one credit per person per day: confirmed first, else potential.
// - Days whose window has not fully passed yet are provisional: a later question can still cancel a credit.
// Bot and staff events are ignored here too, although the recorder never stores them.

export const SEARCH_CLICK_WINDOW_MS = 30 * 60_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export type EventKind =
  | 'result_click'
  | 'suggestion_click'
  | 'thread_read'
  | 'solved'
  | 'not_solved'
  | 'ask_abandoned'
  | 'search'
  | 'thread_view'
  | 'ask_started'
  | 'suggestions_shown'
  | 'question_posted'
  | 'contact_support';

export interface EstimatorEvent {
  at: number;
  kind: EventKind;
  /** `u<userId>` or `v<visitorId>`. */
  person: string;
  questionId?: number | null;
  query?: string | null;
  resultCount?: number | null;
  variant?: string | null;
  bot?: boolean;
  staff?: boolean;
}

export interface QuestionFacts {
  id: number;
  createdAt: number;
  answerCount: number;
  /** Has an accepted answer or an answer with a positive score. */
  hasGoodAnswer: boolean;
  acceptedAt: number | null;
  /** The accepted answer's author is staff or admin (channel shift, not peer help). */
  acceptedByStaff: boolean;
  firstAnswerAt: number | null;
  tags: string[];
}

export interface EstimatorSettings {
  windowHours: number;
  potentialShare: number;
  costPerContact: number;
  costPerCommunityContact: number;
  currency: string;
  holdoutPercent: number;
}

export interface HoldoutCounts {
  shown: { visits: number; asked: number };
  hidden: { visits: number; asked: number };
}

export interface DayFigures {
  date: string;
  confirmed: number;
  potential: number;
  failed: number;
  searches: number;
  searchesWithoutResults: number;
  searchesWithoutClicks: number;
  /** Credits per question: confirmed and potential. */
  threads: Record<string, { confirmed: number; potential: number }>;
  queriesWithoutResults: Record<string, number>;
  queriesWithoutClicks: Record<string, number>;
  failedTags: Record<string, number>;
  holdout: HoldoutCounts;
}

export function dayStart(date: string): number {
  return Date.parse(`${date}T00:00:00.000Z`);
}

export function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = dayStart(from); t <= dayStart(to); t += DAY_MS) days.push(dateOf(t));
  return days;
}

/** Whether a day's figures can still change: its window reaches past `now`. */
export function isProvisional(date: string, windowHours: number, now: number): boolean {
  return dayStart(date) + DAY_MS + windowHours * HOUR_MS > now;
}

const ASKS = new Set<EventKind>(['question_posted', 'contact_support']);
const bump = (map: Record<string, number>, key: string, by = 1) => {
  map[key] = (map[key] ?? 0) + by;
};

/**
 * The figures of one UTC day. `events` must hold every event from the start of the day to W after its end
 * (later ones are harmless); `questions` the facts of the questions they mention.
 */
export function estimateDay(date: string, events: EstimatorEvent[], questions: Map<number, QuestionFacts>, settings: EstimatorSettings): DayFigures {
  const start = dayStart(date);
  const end = start + DAY_MS;
  const windowMs = settings.windowHours * HOUR_MS;
  const figures: DayFigures = {
    date,
    confirmed: 0,
    potential: 0,
    failed: 0,
    searches: 0,
    searchesWithoutResults: 0,
    searchesWithoutClicks: 0,
    threads: {},
    queriesWithoutResults: {},
    queriesWithoutClicks: {},
    failedTags: {},
    holdout: { shown: { visits: 0, asked: 0 }, hidden: { visits: 0, asked: 0 } },
  };

  const byPerson = new Map<string, EstimatorEvent[]>();
  for (const event of events) {
    if (event.bot || event.staff || event.at < start || event.at >= end + windowMs) continue;
    const list = byPerson.get(event.person);
    if (list) list.push(event);
    else byPerson.set(event.person, [event]);
  }

  for (const timeline of byPerson.values()) {
    timeline.sort((a, b) => a.at - b.at);
    const today = timeline.filter((e) => e.at < end);
    if (today.length === 0) continue;
    const asks = timeline.filter((e) => ASKS.has(e.kind));
    const askedWithin = (t: number) => asks.find((a) => a.at > t && a.at <= t + windowMs);
    const facts = (e: EstimatorEvent) => (e.questionId == null ? undefined : questions.get(e.questionId));

    // Credits: confirmed first, else potential; at most one per person-day.
    const solved = today.find((e) => e.kind === 'solved' && (facts(e)?.answerCount ?? 0) > 0 && !askedWithin(e.at));
    const gaveFeedback = today.some((e) => e.kind === 'solved' || e.kind === 'not_solved');
    if (solved) {
      figures.confirmed += 1;
      (figures.threads[String(solved.questionId)] ??= { confirmed: 0, potential: 0 }).confirmed += 1;
    } else if (!gaveFeedback) {
      const read = today.find((e) => e.kind === 'thread_read' && facts(e)?.hasGoodAnswer && !askedWithin(e.at));
      if (read) {
        figures.potential += 1;
        (figures.threads[String(read.questionId)] ??= { confirmed: 0, potential: 0 }).potential += 1;
      }
    }

    // Failures: saw suggestions or an answered thread, then asked anyway.
    for (const e of today) {
      const sawAnswer = (e.kind === 'thread_read' || e.kind === 'thread_view') && (facts(e)?.answerCount ?? 0) > 0;
      if (e.kind !== 'suggestions_shown' && !sawAnswer) continue;
      const ask = askedWithin(e.at);
      if (!ask) continue;
      figures.failed += 1;
      const about = (ask.kind === 'question_posted' ? facts(ask) : undefined) ?? facts(e);
      for (const tag of about?.tags.length ? about.tags : ['(untagged)']) bump(figures.failedTags, tag);
      break;
    }

    // Searches of the day, and whether a result was clicked within half an hour.
    for (const e of today) {
      if (e.kind !== 'search') continue;
      figures.searches += 1;
      const query = e.query ?? '';
      if ((e.resultCount ?? 0) === 0) {
        figures.searchesWithoutResults += 1;
        if (query) bump(figures.queriesWithoutResults, query);
      } else if (!timeline.some((c) => (c.kind === 'result_click' || c.kind === 'thread_view') && c.at >= e.at && c.at <= e.at + SEARCH_CLICK_WINDOW_MS)) {
        // A click is a result_click (sent by the page's script) or, without JavaScript, a thread opened soon after.
        figures.searchesWithoutClicks += 1;
        if (query) bump(figures.queriesWithoutClicks, query);
      }
    }

    // Holdout: one ask-form visit per person-day, in the group it was shown.
    const visit = today.find((e) => e.kind === 'ask_started' && (e.variant === 'shown' || e.variant === 'hidden'));
    if (visit) {
      const group = figures.holdout[visit.variant as 'shown' | 'hidden'];
      group.visits += 1;
      if (timeline.some((e) => e.kind === 'question_posted' && e.at > visit.at && e.at <= visit.at + windowMs)) group.asked += 1;
    }
  }
  return figures;
}

export interface ReportPeriod {
  from: string;
  to: string;
}

export interface DeflectionReport {
  from: string;
  to: string;
  currency: string;
  costPerContact: number;
  costPerCommunityContact: number;
  windowHours: number;
  potentialShare: number;
  deflected: { low: number; estimate: number; high: number };
  peerResolved: number;
  staffResolved: number;
  savings: { low: number; estimate: number; high: number };
  searches: number;
  searchesWithoutResults: number;
  searchesWithoutClicks: number;
  questionsAsked: number;
  failedDeflections: number;
  answerRate: number | null;
  medianMinutesToFirstAnswer: number | null;
  acceptedRate: number | null;
  provisionalFrom: string | null;
  series: { date: string; low: number; estimate: number; high: number; searches: number; questionsAsked: number }[];
  holdout: null | {
    share: number;
    withSuggestions: { visits: number; asked: number };
    withoutSuggestions: { visits: number; asked: number };
    difference: number | null;
    ci95: [number, number] | null;
  };
  /** Lists for the staff page (not part of API.md's fixed fields, added in the same style). */
  topThreads: { questionId: number; confirmed: number; potential: number }[];
  queriesWithoutResults: { query: string; count: number }[];
  queriesWithoutClicks: { query: string; count: number }[];
  failedByTag: { tag: string; count: number }[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

function topEntries(maps: Record<string, number>[], limit: number): { key: string; count: number }[] {
  const total: Record<string, number> = {};
  for (const map of maps) for (const [key, n] of Object.entries(map)) bump(total, key, n);
  return Object.entries(total)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, limit);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Combines day figures and question facts into the report of API.md. */
export function buildReport(period: ReportPeriod, days: DayFigures[], questions: QuestionFacts[], settings: EstimatorSettings, now: number): DeflectionReport {
  const r = settings.potentialShare;
  const confirmed = days.reduce((s, d) => s + d.confirmed, 0);
  const potential = days.reduce((s, d) => s + d.potential, 0);
  const deflected = { low: confirmed, estimate: round2(confirmed + r * potential), high: confirmed + potential };

  const from = dayStart(period.from);
  const to = dayStart(period.to) + DAY_MS;
  const inPeriod = (t: number | null) => t !== null && t >= from && t < to;
  const resolved = questions.filter((q) => inPeriod(q.acceptedAt));
  const peerResolved = resolved.filter((q) => !q.acceptedByStaff).length;
  const staffResolved = resolved.length - peerResolved;
  // Never negative: a community contact dearer than an assisted one saves nothing (and low ≤ high holds).
  const perContact = Math.max(0, settings.costPerContact - settings.costPerCommunityContact);
  const savings = {
    low: round2((deflected.low + peerResolved) * perContact),
    estimate: round2((deflected.estimate + peerResolved) * perContact),
    high: round2((deflected.high + peerResolved) * perContact),
  };

  const asked = questions.filter((q) => inPeriod(q.createdAt));
  const askedPerDay = new Map<string, number>();
  for (const q of asked) askedPerDay.set(dateOf(q.createdAt), (askedPerDay.get(dateOf(q.createdAt)) ?? 0) + 1);
  const answerRate = asked.length ? round4(asked.filter((q) => q.answerCount > 0).length / asked.length) : null;
  const acceptedRate = asked.length ? round4(asked.filter((q) => q.acceptedAt !== null).length / asked.length) : null;
  const waits = asked.filter((q) => q.firstAnswerAt !== null).map((q) => (q.firstAnswerAt! - q.createdAt) / 60_000);
  const medianWait = median(waits);

  const series = days.map((d) => ({
    date: d.date,
    low: d.confirmed,
    estimate: round2(d.confirmed + r * d.potential),
    high: d.confirmed + d.potential,
    searches: d.searches,
    questionsAsked: askedPerDay.get(d.date) ?? 0,
    provisional: isProvisional(d.date, settings.windowHours, now),
  }));

  let holdout: DeflectionReport['holdout'] = null;
  if (settings.holdoutPercent > 0) {
    const shown = { visits: 0, asked: 0 };
    const hidden = { visits: 0, asked: 0 };
    for (const d of days) {
      shown.visits += d.holdout.shown.visits;
      shown.asked += d.holdout.shown.asked;
      hidden.visits += d.holdout.hidden.visits;
      hidden.asked += d.holdout.hidden.asked;
    }
    let difference: number | null = null;
    let ci95: [number, number] | null = null;
    if (shown.visits > 0 && hidden.visits > 0) {
      const pShown = shown.asked / shown.visits;
      const pHidden = hidden.asked / hidden.visits;
      // Share of ask-form visits that did NOT end in a question because suggestions were shown.
      difference = pHidden - pShown;
      const se = Math.sqrt((pShown * (1 - pShown)) / shown.visits + (pHidden * (1 - pHidden)) / hidden.visits);
      ci95 = [round4(difference - 1.96 * se), round4(difference + 1.96 * se)];
      difference = round4(difference);
    }
    holdout = { share: settings.holdoutPercent / 100, withSuggestions: shown, withoutSuggestions: hidden, difference, ci95 };
  }

  const threadTotals = new Map<number, { confirmed: number; potential: number }>();
  for (const d of days) {
    for (const [id, credit] of Object.entries(d.threads)) {
      const total = threadTotals.get(Number(id)) ?? { confirmed: 0, potential: 0 };
      total.confirmed += credit.confirmed;
      total.potential += credit.potential;
      threadTotals.set(Number(id), total);
    }
  }

  return {
    from: period.from,
    to: period.to,
    currency: settings.currency,
    costPerContact: settings.costPerContact,
    costPerCommunityContact: settings.costPerCommunityContact,
    windowHours: settings.windowHours,
    potentialShare: r,
    deflected,
    peerResolved,
    staffResolved,
    savings,
    searches: days.reduce((s, d) => s + d.searches, 0),
    searchesWithoutResults: days.reduce((s, d) => s + d.searchesWithoutResults, 0),
    searchesWithoutClicks: days.reduce((s, d) => s + d.searchesWithoutClicks, 0),
    questionsAsked: asked.length,
    failedDeflections: days.reduce((s, d) => s + d.failed, 0),
    answerRate,
    medianMinutesToFirstAnswer: medianWait === null ? null : Math.round(medianWait * 10) / 10,
    acceptedRate,
    provisionalFrom: series.find((d) => d.provisional)?.date ?? null,
    series: series.map(({ provisional: _p, ...day }) => day),
    holdout,
    topThreads: [...threadTotals]
      .map(([questionId, c]) => ({ questionId, ...c }))
      .sort((a, b) => b.confirmed + r * b.potential - (a.confirmed + r * a.potential) || a.questionId - b.questionId)
      .slice(0, 10),
    queriesWithoutResults: topEntries(days.map((d) => d.queriesWithoutResults), 20).map(({ key, count }) => ({ query: key, count })),
    queriesWithoutClicks: topEntries(days.map((d) => d.queriesWithoutClicks), 20).map(({ key, count }) => ({ query: key, count })),
    failedByTag: topEntries(days.map((d) => d.failedTags), 20).map(({ key, count }) => ({ tag: key, count })),
  };
}

/** The whole estimator in one call: what tests and the property checks use. */
export function deflectionEstimate(
  period: ReportPeriod,
  events: EstimatorEvent[],
  questions: QuestionFacts[],
  settings: EstimatorSettings,
  now: number,
): DeflectionReport {
  const facts = new Map(questions.map((q) => [q.id, q]));
  const days = daysBetween(period.from, period.to).map((date) => estimateDay(date, events, facts, settings));
  return buildReport(period, days, questions, settings, now);
}
