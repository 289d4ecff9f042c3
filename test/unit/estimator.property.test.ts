// Properties of the deflection estimator over random event logs, question facts and settings (fast-check):
// low ≤ estimate ≤ high everywhere; bot and staff events never change any figure; credits never exceed one
// per person-day; and the report's totals are the sums of its days.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dateOf,
  daysBetween,
  deflectionEstimate,
  type DeflectionReport,
  type EstimatorEvent,
  type EstimatorSettings,
  type EventKind,
  type QuestionFacts,
} from '../../src/features/deflection/estimator.ts';

const KINDS: EventKind[] = [
  'result_click',
  'suggestion_click',
  'thread_read',
  'solved',
  'not_solved',
  'ask_abandoned',
  'search',
  'thread_view',
  'ask_started',
  'suggestions_shown',
  'question_posted',
  'contact_support',
];
const PERIOD = { from: '2025-03-01', to: '2025-03-05' };
/** Events fall from a day before the period to a few days after it (inside later windows). */
const FIRST = Date.parse('2025-02-28T00:00:00Z');
const LAST = Date.parse('2025-03-10T00:00:00Z');
const QUESTION_IDS = [1, 2, 3, 4, 5, 6];

const instant = fc.integer({ min: FIRST, max: LAST - 1 });
/** Times on a coarse grid as well, so that ties and exact window edges happen often. */
const time = fc.oneof(instant, fc.integer({ min: 0, max: (LAST - FIRST) / 1_800_000 - 1 }).map((n) => FIRST + n * 1_800_000));

const event = (persons: string[]) =>
  fc.record({
    at: time,
    kind: fc.constantFrom(...KINDS),
    person: fc.constantFrom(...persons),
    questionId: fc.option(fc.constantFrom(...QUESTION_IDS, 99), { nil: null }),
    query: fc.option(fc.constantFrom('wifi', 'router rojo', 'factura', ''), { nil: null }),
    resultCount: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
    variant: fc.option(fc.constantFrom('shown', 'hidden', 'other'), { nil: null }),
  }) as fc.Arbitrary<EstimatorEvent>;

const PEOPLE = ['v0', 'v1', 'v2', 'v3', 'u1', 'u2'];
const events = fc.array(event(PEOPLE), { maxLength: 80 });

const facts: fc.Arbitrary<QuestionFacts[]> = fc.tuple(
  ...QUESTION_IDS.map((id) =>
    fc
      .record({
        createdAt: instant,
        answerCount: fc.integer({ min: 0, max: 3 }),
        good: fc.boolean(),
        accepted: fc.option(instant, { nil: null }),
        acceptedByStaff: fc.boolean(),
        firstAnswerAfter: fc.integer({ min: 0, max: 5 * 86_400_000 }),
        tags: fc.subarray(['router', 'wifi', 'billing']),
      })
      .map(
        (q): QuestionFacts => ({
          id,
          createdAt: q.createdAt,
          answerCount: q.answerCount,
          hasGoodAnswer: q.answerCount > 0 && (q.good || q.accepted !== null),
          acceptedAt: q.answerCount > 0 ? q.accepted : null,
          acceptedByStaff: q.acceptedByStaff,
          firstAnswerAt: q.answerCount > 0 ? q.createdAt + q.firstAnswerAfter : null,
          tags: q.tags,
        }),
      ),
  ),
);

/** Sane costs: an assisted contact costs at least what a community one does (see the note in the report). */
const settings: fc.Arbitrary<EstimatorSettings> = fc
  .record({
    windowHours: fc.integer({ min: 1, max: 24 * 7 }),
    potentialShare: fc.double({ min: 0, max: 1, noNaN: true }),
    community: fc.double({ min: 0, max: 1000, noNaN: true }),
    extra: fc.double({ min: 0, max: 1000, noNaN: true }),
    holdoutPercent: fc.integer({ min: 0, max: 50 }),
  })
  .map((s) => ({
    windowHours: s.windowHours,
    potentialShare: s.potentialShare,
    costPerCommunityContact: s.community,
    costPerContact: s.community + s.extra,
    currency: 'EUR',
    holdoutPercent: s.holdoutPercent,
  }));

const now = fc.integer({ min: FIRST, max: LAST + 10 * 86_400_000 });

function ordered(range: { low: number; estimate: number; high: number }): boolean {
  return range.low <= range.estimate && range.estimate <= range.high;
}

/** Inserts `extra` among `base` at random places, keeping the order of `base`. */
const interleave = (base: EstimatorEvent[], extra: EstimatorEvent[], slots: number[]) => {
  const out = [...base];
  extra.forEach((e, i) => out.splice(slots[i] % (out.length + 1), 0, e));
  return out;
};

const RUNS = { numRuns: 400 };

describe('deflection estimator properties', () => {
  it('low ≤ estimate ≤ high: for deflections, savings and every day of the series', () => {
    fc.assert(
      fc.property(events, facts, settings, now, (log, questions, s, t) => {
        const report = deflectionEstimate(PERIOD, log, questions, s, t);
        expect(ordered(report.deflected)).toBe(true);
        expect(ordered(report.savings)).toBe(true);
        for (const day of report.series) expect(ordered(day)).toBe(true);
        expect(report.deflected.low).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('adding bot or staff events never changes any figure', () => {
    const marked = fc
      .tuple(event([...PEOPLE, 'v-bot', 'u-staff']), fc.constantFrom<Partial<EstimatorEvent>>({ bot: true }, { staff: true }, { bot: true, staff: true }))
      .map(([e, mark]) => ({ ...e, ...mark }));
    fc.assert(
      fc.property(events, fc.array(marked, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), facts, settings, now, (log, noise, slots, questions, s, t) => {
        const clean = deflectionEstimate(PERIOD, log, questions, s, t);
        const noisy = deflectionEstimate(PERIOD, interleave(log, noise, slots), questions, s, t);
        expect(noisy).toEqual(clean);
      }),
      RUNS,
    );
  });

  it('at most one credit per person-day, and the totals are the sums of the days', () => {
    fc.assert(
      fc.property(events, facts, settings, now, (log, questions, s, t) => {
        const report: DeflectionReport = deflectionEstimate(PERIOD, log, questions, s, t);
        const days = new Set(daysBetween(PERIOD.from, PERIOD.to));
        const personDays = new Set(log.filter((e) => days.has(dateOf(e.at))).map((e) => `${e.person} ${dateOf(e.at)}`));
        expect(report.deflected.high).toBeLessThanOrEqual(personDays.size);
        expect(report.failedDeflections).toBeLessThanOrEqual(personDays.size);
        expect(report.series.reduce((n, d) => n + d.low, 0)).toBe(report.deflected.low);
        expect(report.series.reduce((n, d) => n + d.high, 0)).toBe(report.deflected.high);
        expect(report.series.reduce((n, d) => n + d.searches, 0)).toBe(report.searches);
        expect(report.series.reduce((n, d) => n + d.questionsAsked, 0)).toBe(report.questionsAsked);
        expect(report.searchesWithoutResults + report.searchesWithoutClicks).toBeLessThanOrEqual(report.searches);
        const credited = report.topThreads.reduce((n, c) => n + c.confirmed + c.potential, 0);
        expect(credited).toBeLessThanOrEqual(report.deflected.high);
      }),
      RUNS,
    );
  });

  it('a solved credit never survives a question by the same person within W', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 86_400_000 - 1 }),
        fc.integer({ min: 1, max: 24 * 7 }),
        fc.integer({ min: 1, max: 24 * 7 * 3_600_000 }),
        fc.constantFrom<EventKind>('question_posted', 'contact_support'),
        (offset, windowHours, after, kind) => {
          const start = Date.parse(`${PERIOD.from}T00:00:00Z`) + offset;
          const log: EstimatorEvent[] = [
            { at: start, kind: 'solved', person: 'v0', questionId: 1 },
            { at: start + after, kind, person: 'v0', questionId: 6 },
          ];
          const questions: QuestionFacts[] = [1, 6].map((id) => ({ id, createdAt: FIRST, answerCount: id === 1 ? 1 : 0, hasGoodAnswer: id === 1, acceptedAt: null, acceptedByStaff: false, firstAnswerAt: null, tags: [] }));
          const s: EstimatorSettings = { windowHours, potentialShare: 0.2, costPerContact: 8, costPerCommunityContact: 1, currency: 'EUR', holdoutPercent: 0 };
          const report = deflectionEstimate({ from: PERIOD.from, to: PERIOD.from }, log, questions, s, LAST);
          expect(report.deflected.low).toBe(after <= windowHours * 3_600_000 ? 0 : 1);
        },
      ),
      RUNS,
    );
  });
});
