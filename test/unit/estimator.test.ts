// The deflection estimator on scripted event logs, with exact figures: credits (confirmed, potential, at most
// one per person-day), the window W around its edges, failures and their tags, searches without results or
// clicks, r, savings, peer- and staff-resolved questions, provisional days, the holdout, and the report's
// lists. The last block runs the same arithmetic through the recorder and loader (a real SQLite file), for
// what only they do: one person across sign-in, and never storing bots or staff.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.ts';
import { closeDatabase } from '../../src/db/client.ts';
import {
  dateOf,
  deflectionEstimate,
  estimateDay,
  isProvisional,
  type DeflectionReport,
  type EstimatorEvent,
  type EstimatorSettings,
  type EventKind,
  type QuestionFacts,
} from '../../src/features/deflection/estimator.ts';
import { deflectionReport, linkVisitor, recordEvent, type Visit } from '../../src/features/deflection/service.ts';
import { defaultSettings } from '../../src/features/settings/service.ts';
import { openTestDb } from '../helper.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
/** A UTC instant on a day, `HH:MM` (or `HH:MM:SS.mmm`). */
const at = (date: string, time = '12:00') => Date.parse(`${date}T${time}${time.length === 5 ? ':00.000' : ''}Z`);

const D = '2025-03-03';
const D1 = '2025-03-04';
const D2 = '2025-03-05';
/** Long after every window of March has passed: nothing is provisional. */
const FINISHED = at('2025-06-01');

const SETTINGS: EstimatorSettings = { windowHours: 72, potentialShare: 0.2, costPerContact: 8, costPerCommunityContact: 1, currency: 'EUR', holdoutPercent: 0 };

function question(id: number, facts: Partial<QuestionFacts> = {}): QuestionFacts {
  return { id, createdAt: at('2025-01-10'), answerCount: 0, hasGoodAnswer: false, acceptedAt: null, acceptedByStaff: false, firstAnswerAt: null, tags: [], ...facts };
}

/** Answered, with an accepted or upvoted answer. */
const GOOD = question(1, { answerCount: 2, hasGoodAnswer: true, tags: ['router'] });
/** Answered, but no answer accepted or scored above zero. */
const WEAK = question(2, { answerCount: 1, tags: ['billing'] });
/** Not answered. */
const OPEN = question(3, { tags: ['wifi'] });
const GOOD2 = question(4, { answerCount: 1, hasGoodAnswer: true, tags: ['router', 'modem'] });
/** What the journeys below post when they ask anyway. */
const NEW = question(10, { tags: ['wifi', 'router'] });
const UNTAGGED = question(12);
const QUESTIONS = [GOOD, WEAK, OPEN, GOOD2, NEW, UNTAGGED];

function ev(person: string, kind: EventKind, time: number, extra: Partial<EstimatorEvent> = {}): EstimatorEvent {
  return { at: time, kind, person, ...extra };
}

interface Options {
  questions?: QuestionFacts[];
  settings?: Partial<EstimatorSettings>;
  from?: string;
  to?: string;
  now?: number;
}

function report(events: EstimatorEvent[], options: Options = {}): DeflectionReport {
  return deflectionEstimate(
    { from: options.from ?? D, to: options.to ?? options.from ?? D },
    events,
    options.questions ?? QUESTIONS,
    { ...SETTINGS, ...options.settings },
    options.now ?? FINISHED,
  );
}

const deflected = (events: EstimatorEvent[], options?: Options) => report(events, options).deflected;

/** The journey of the issue: search, click the first result, read it, press "Yes, solved". */
const solvedJourney = (person = 'vA', date = D): EstimatorEvent[] => [
  ev(person, 'search', at(date, '10:00'), { query: 'router blinks red', resultCount: 3 }),
  ev(person, 'result_click', at(date, '10:01'), { questionId: 1, query: 'router blinks red' }),
  ev(person, 'thread_view', at(date, '10:01'), { questionId: 1 }),
  ev(person, 'thread_read', at(date, '10:02'), { questionId: 1 }),
  ev(person, 'solved', at(date, '10:03'), { questionId: 1 }),
  ev(person, 'thread_view', at(date, '10:03'), { questionId: 1 }),
];

const EMPTY_LISTS = { topThreads: [], queriesWithoutResults: [], queriesWithoutClicks: [], failedByTag: [] };

describe('a whole report', () => {
  it('search → result → read → solved is one confirmed deflection, with every field of the report', () => {
    expect(report(solvedJourney())).toEqual({
      from: D,
      to: D,
      currency: 'EUR',
      costPerContact: 8,
      costPerCommunityContact: 1,
      windowHours: 72,
      potentialShare: 0.2,
      deflected: { low: 1, estimate: 1, high: 1 },
      peerResolved: 0,
      staffResolved: 0,
      savings: { low: 7, estimate: 7, high: 7 },
      searches: 1,
      searchesWithoutResults: 0,
      searchesWithoutClicks: 0,
      questionsAsked: 0,
      failedDeflections: 0,
      answerRate: null,
      medianMinutesToFirstAnswer: null,
      acceptedRate: null,
      provisionalFrom: null,
      series: [{ date: D, low: 1, estimate: 1, high: 1, searches: 1, questionsAsked: 0 }],
      holdout: null,
      topThreads: [{ questionId: 1, confirmed: 1, potential: 0 }],
      queriesWithoutResults: [],
      queriesWithoutClicks: [],
      failedByTag: [],
    } satisfies DeflectionReport);
  });

  it('no events: zeros, nulls and empty lists, one series entry per day', () => {
    const empty = report([], { from: D, to: D2 });
    expect(empty.deflected).toEqual({ low: 0, estimate: 0, high: 0 });
    expect(empty.savings).toEqual({ low: 0, estimate: 0, high: 0 });
    expect(empty.series.map((d) => d.date)).toEqual([D, D1, D2]);
    expect(empty.series.every((d) => d.low === 0 && d.estimate === 0 && d.high === 0 && d.searches === 0)).toBe(true);
    expect(empty).toMatchObject({ searches: 0, questionsAsked: 0, failedDeflections: 0, answerRate: null, acceptedRate: null, medianMinutesToFirstAnswer: null, ...EMPTY_LISTS });
  });

  it('series entries carry exactly the fields of API.md', () => {
    expect(Object.keys(report(solvedJourney()).series[0]).sort()).toEqual(['date', 'estimate', 'high', 'low', 'questionsAsked', 'searches']);
  });
});

describe('bots', () => {
  it('a bot gives 0: nothing it does is a credit, a search or a failure', () => {
    const bot = [
      ...solvedJourney('vBot').map((e) => ({ ...e, bot: true })),
      ev('vBot', 'search', at(D, '11:00'), { query: 'nothing here', resultCount: 0, bot: true }),
      ev('vBot', 'suggestions_shown', at(D, '11:01'), { bot: true }),
      ev('vBot', 'question_posted', at(D, '11:02'), { questionId: 10, bot: true }),
      ev('vBot', 'ask_started', at(D, '11:03'), { variant: 'hidden', bot: true }),
    ];
    expect(report(bot, { settings: { holdoutPercent: 10 } })).toEqual(report([], { settings: { holdoutPercent: 10 } }));
    expect(report(bot).deflected).toEqual({ low: 0, estimate: 0, high: 0 });
    expect(report(bot).searches).toBe(0);
  });

  it("a bot's question does not cancel a person's credit, even under the same person id", () => {
    const events = [...solvedJourney('vA'), ev('vA', 'question_posted', at(D, '11:00'), { questionId: 10, bot: true })];
    expect(deflected(events)).toEqual({ low: 1, estimate: 1, high: 1 });
  });
});

describe('one credit per person per day', () => {
  it('five "solved" by one visitor in a day give 1, credited to the first thread', () => {
    const events = [9, 10, 11, 12, 13].map((h) => ev('vA', 'solved', at(D, `${h}:00`), { questionId: 1 }));
    events.push(ev('vA', 'solved', at(D, '14:00'), { questionId: 4 }));
    const r = report(events);
    expect(r.deflected).toEqual({ low: 1, estimate: 1, high: 1 });
    expect(r.topThreads).toEqual([{ questionId: 1, confirmed: 1, potential: 0 }]);
  });

  it('two visitors give 2; one visitor on two days gives 2', () => {
    expect(deflected([...solvedJourney('vA'), ...solvedJourney('vB')])).toEqual({ low: 2, estimate: 2, high: 2 });
    const twoDays = report([...solvedJourney('vA', D), ...solvedJourney('vA', D1)], { from: D, to: D1 });
    expect(twoDays.deflected).toEqual({ low: 2, estimate: 2, high: 2 });
    expect(twoDays.series.map((d) => d.low)).toEqual([1, 1]);
  });

  it('confirmed first, else potential: a read and a "solved" the same day are one confirmed credit', () => {
    const events = [ev('vA', 'thread_read', at(D, '10:00'), { questionId: 4 }), ev('vA', 'solved', at(D, '10:05'), { questionId: 1 })];
    const r = report(events);
    expect(r.deflected).toEqual({ low: 1, estimate: 1, high: 1 });
    expect(r.topThreads).toEqual([{ questionId: 1, confirmed: 1, potential: 0 }]);
  });

  it('a person is whatever the loader made of them: the same id signed out and signed in is one person', () => {
    // The loader maps a visitor seen signed in to `u<id>` (tested through SQLite below); here the ids as given.
    const read = ev('u7', 'thread_read', at(D, '09:00'), { questionId: 1 });
    const solved = ev('u7', 'solved', at(D, '09:30'), { questionId: 1 });
    expect(deflected([read, solved])).toEqual({ low: 1, estimate: 1, high: 1 });
    expect(deflected([{ ...read, person: 'vAnon' }, solved])).toEqual({ low: 1, estimate: 1.2, high: 2 });
  });
});

describe('the window W', () => {
  describe.each([72, 24])('W = %i h', (w) => {
    const settings = { windowHours: w };
    const read = (person: string) => [ev(person, 'thread_view', at(D, '10:00'), { questionId: 1 }), ev(person, 'thread_read', at(D, '10:00'), { questionId: 1 })];
    const posted = (person: string, offset: number) => ev(person, 'question_posted', at(D, '10:00') + offset, { questionId: 10 });

    it('a question at W − 1 h after a read makes a failure and cancels the credit; at W + 1 h it does not', () => {
      const before = report([...read('vA'), posted('vA', (w - 1) * HOUR)], { settings });
      expect(before.failedDeflections).toBe(1);
      expect(before.deflected).toEqual({ low: 0, estimate: 0, high: 0 });
      expect(before.failedByTag).toEqual([
        { tag: 'router', count: 1 },
        { tag: 'wifi', count: 1 },
      ]);
      const after = report([...read('vA'), posted('vA', (w + 1) * HOUR)], { settings });
      expect(after.failedDeflections).toBe(0);
      expect(after.deflected).toEqual({ low: 0, estimate: 0.2, high: 1 });
      expect(after.failedByTag).toEqual([]);
    });

    it('the window includes its last millisecond', () => {
      expect(report([...read('vA'), posted('vA', w * HOUR)], { settings }).failedDeflections).toBe(1);
      expect(report([...read('vA'), posted('vA', w * HOUR + 1)], { settings }).failedDeflections).toBe(0);
    });

    it('a support contact at W − 1 h after "solved" cancels it; at W + 1 h it does not', () => {
      const solved = [ev('vA', 'thread_view', at(D, '10:00'), { questionId: 1 }), ev('vA', 'solved', at(D, '10:00'), { questionId: 1 })];
      const contact = (offset: number) => ev('vA', 'contact_support', at(D, '10:00') + offset);
      const before = report([...solved, contact((w - 1) * HOUR)], { settings });
      expect(before.deflected).toEqual({ low: 0, estimate: 0, high: 0 });
      expect(before.failedDeflections).toBe(1);
      expect(before.failedByTag).toEqual([{ tag: 'router', count: 1 }]);
      const after = report([...solved, contact((w + 1) * HOUR)], { settings });
      expect(after.deflected).toEqual({ low: 1, estimate: 1, high: 1 });
      expect(after.failedDeflections).toBe(0);
    });

    it('suggestions shown, then a question at W − 1 h is a failure; at W + 1 h it is not', () => {
      const shown = ev('vA', 'suggestions_shown', at(D, '10:00'), { query: 'router red light' });
      expect(report([shown, posted('vA', (w - 1) * HOUR)], { settings }).failedDeflections).toBe(1);
      expect(report([shown, posted('vA', (w + 1) * HOUR)], { settings }).failedDeflections).toBe(0);
    });
  });

  it('a question before the read does not cancel it, and another person’s question changes nothing', () => {
    const events = [ev('vA', 'question_posted', at(D, '09:00'), { questionId: 10 }), ev('vA', 'thread_read', at(D, '10:00'), { questionId: 1 }), ev('vB', 'question_posted', at(D, '10:30'), { questionId: 12 })];
    const r = report(events);
    expect(r.deflected).toEqual({ low: 0, estimate: 0.2, high: 1 });
    expect(r.failedDeflections).toBe(0);
  });

  it('a late-evening credit is cancelled by a question after midnight; the next day gets nothing from it', () => {
    const events = [ev('vA', 'solved', at(D, '23:30'), { questionId: 1 }), ev('vA', 'contact_support', at(D1, '00:30'))];
    const r = report(events, { from: D, to: D1 });
    expect(r.series.map((d) => [d.date, d.low])).toEqual([
      [D, 0],
      [D1, 0],
    ]);
  });

  it('an event at exactly midnight belongs to the new day', () => {
    const r = report([ev('vA', 'solved', at(D1, '00:00'), { questionId: 1 })], { from: D, to: D1 });
    expect(r.series.map((d) => d.low)).toEqual([0, 1]);
  });
});

describe('staff', () => {
  it('staff events change nothing: not their own credits, not the questions they post under a visitor id', () => {
    const base = [...solvedJourney('vA'), ...solvedJourney('vB').map((e) => ({ ...e, at: e.at + HOUR })), ev('vC', 'thread_read', at(D, '15:00'), { questionId: 4 })];
    const staff = [
      ...solvedJourney('u99').map((e) => ({ ...e, staff: true })),
      ev('vA', 'question_posted', at(D, '10:30'), { questionId: 10, staff: true }),
      ev('vB', 'contact_support', at(D, '12:00'), { staff: true }),
      ev('vC', 'not_solved', at(D, '15:01'), { questionId: 4, staff: true }),
      ev('u99', 'search', at(D, '16:00'), { query: 'internal tool', resultCount: 0, staff: true }),
      ev('u99', 'suggestions_shown', at(D, '16:01'), { staff: true }),
      ev('u99', 'question_posted', at(D, '16:02'), { questionId: 12, staff: true }),
    ];
    const without = report(base, { settings: { holdoutPercent: 5 } });
    expect(without.deflected).toEqual({ low: 2, estimate: 2.2, high: 3 });
    expect(report([...staff.slice(0, 3), ...base, ...staff.slice(3)], { settings: { holdoutPercent: 5 } })).toEqual(without);
  });
});

describe('potential deflections', () => {
  const read = (questionId: number, time = '10:00', person = 'vA') => ev(person, 'thread_read', at(D, time), { questionId });

  it('need an accepted or positively scored answer', () => {
    expect(deflected([read(2)])).toEqual({ low: 0, estimate: 0, high: 0 });
    expect(deflected([read(3)])).toEqual({ low: 0, estimate: 0, high: 0 });
    expect(deflected([read(99)])).toEqual({ low: 0, estimate: 0, high: 0 }); // unknown (deleted) question
    const good = report([read(1)]);
    expect(good.deflected).toEqual({ low: 0, estimate: 0.2, high: 1 });
    expect(good.topThreads).toEqual([{ questionId: 1, confirmed: 0, potential: 1 }]);
  });

  it('need a read, not only a view', () => {
    expect(deflected([ev('vA', 'thread_view', at(D, '10:00'), { questionId: 1 })])).toEqual({ low: 0, estimate: 0, high: 0 });
  });

  it('need no "solved" or "not solved" that day', () => {
    expect(deflected([read(1), ev('vA', 'not_solved', at(D, '10:05'), { questionId: 1 })])).toEqual({ low: 0, estimate: 0, high: 0 });
    // "Solved" on an unanswered question is no confirmed credit, and still feedback: no potential either.
    expect(deflected([read(1), ev('vA', 'solved', at(D, '10:05'), { questionId: 3 })])).toEqual({ low: 0, estimate: 0, high: 0 });
    // Feedback on another day leaves this day's potential alone.
    const r = report([read(1), ev('vA', 'not_solved', at(D1, '10:05'), { questionId: 1 })], { from: D, to: D1 });
    expect(r.series.map((d) => d.high)).toEqual([1, 0]);
  });

  it('one per person-day, credited to the first good read', () => {
    const r = report([read(1, '10:00'), read(4, '10:30'), read(1, '11:00')]);
    expect(r.deflected).toEqual({ low: 0, estimate: 0.2, high: 1 });
    expect(r.topThreads).toEqual([{ questionId: 1, confirmed: 0, potential: 1 }]);
  });
});

describe('r, savings and resolutions', () => {
  // Two confirmed (p1, p2) and three potential (p3–p5).
  const events = [
    ...['p1', 'p2'].map((p) => ev(p, 'solved', at(D, '10:00'), { questionId: 1 })),
    ...['p3', 'p4', 'p5'].map((p) => ev(p, 'thread_read', at(D, '11:00'), { questionId: 4 })),
  ];
  /** One question resolved by a member's answer during the period. */
  const peer = question(20, { acceptedAt: at(D, '08:00'), answerCount: 1, hasGoodAnswer: true });
  const questions = [...QUESTIONS, peer];

  it.each([
    [0, { low: 2, estimate: 2, high: 5 }],
    [0.2, { low: 2, estimate: 2.6, high: 5 }],
    [0.5, { low: 2, estimate: 3.5, high: 5 }],
    [1, { low: 2, estimate: 5, high: 5 }],
  ])('r = %f applies to potential deflections only', (r, expected) => {
    const result = report(events, { questions, settings: { potentialShare: r } });
    expect(result.deflected).toEqual(expected);
    expect(result.potentialShare).toBe(r);
    expect(result.series[0]).toMatchObject(expected);
  });

  it('savings = (deflected + peerResolved) × (costPerContact − costPerCommunityContact)', () => {
    const r = report(events, { questions });
    expect(r.peerResolved).toBe(1);
    expect(r.savings).toEqual({ low: 21, estimate: 25.2, high: 42 }); // (2+1)×7, (2.6+1)×7, (5+1)×7
    const cents = report(events, { questions, settings: { costPerContact: 8.5, costPerCommunityContact: 1.25 } });
    expect(cents.savings).toEqual({ low: 21.75, estimate: 26.1, high: 43.5 }); // ×7.25
    expect(cents).toMatchObject({ costPerContact: 8.5, costPerCommunityContact: 1.25 });
    expect(report(events, { questions, settings: { costPerContact: 5, costPerCommunityContact: 5 } }).savings).toEqual({ low: 0, estimate: 0, high: 0 });
    // Peer resolutions save even without a single deflection.
    expect(report([], { questions }).savings).toEqual({ low: 7, estimate: 7, high: 7 });
  });

  it('peer- and staff-resolved count questions by when their answer was accepted, within the period', () => {
    const from = D;
    const to = D2;
    const asked = [
      question(31, { createdAt: at(D, '08:00'), answerCount: 1, firstAnswerAt: at(D, '08:30'), acceptedAt: at(D, '12:00') }), // peer
      question(32, { createdAt: at(D1, '09:00'), answerCount: 2, firstAnswerAt: at(D1, '10:30'), acceptedAt: at(D2, '10:00'), acceptedByStaff: true }), // staff
      question(33, { createdAt: at('2025-02-01'), answerCount: 1, firstAnswerAt: at('2025-02-01', '13:00'), acceptedAt: at('2025-02-02') }), // before the period
      question(34, { createdAt: at(D2, '20:00'), answerCount: 1, firstAnswerAt: at(D2, '20:10'), acceptedAt: at('2025-03-06', '00:00') }), // accepted just after
      question(35, { createdAt: at('2025-01-15'), answerCount: 1, acceptedAt: at(D1, '15:00') }), // old question, peer, in the period
      question(36, { createdAt: at(D, '00:00') }), // asked at the first instant, never answered
      question(37, { createdAt: at('2025-02-20'), answerCount: 1, acceptedAt: at(D, '00:00') }), // accepted at the first instant: peer
      question(38, { createdAt: at('2025-02-20'), answerCount: 1, acceptedAt: at(D2, '23:59:59.999'), acceptedByStaff: true }), // last instant: staff
      question(39, { createdAt: at('2025-03-06', '00:00') }), // asked just after
    ];
    const r = deflectionEstimate({ from, to }, [], asked, SETTINGS, FINISHED);
    expect(r.peerResolved).toBe(3); // 31, 35, 37
    expect(r.staffResolved).toBe(2); // 32, 38
    expect(r.savings).toEqual({ low: 21, estimate: 21, high: 21 });
    expect(r.questionsAsked).toBe(4); // 31, 32, 34, 36
    expect(r.answerRate).toBe(0.75);
    expect(r.acceptedRate).toBe(0.75);
    expect(r.medianMinutesToFirstAnswer).toBe(30); // 10, 30 and 90 minutes
    expect(r.series.map((d) => d.questionsAsked)).toEqual([2, 1, 1]);
  });

  it('the median wait of an even count is the mean of the middle two, to a tenth of a minute', () => {
    const asked = [
      question(41, { createdAt: at(D, '08:00'), answerCount: 1, firstAnswerAt: at(D, '08:00') + 10 * MIN }),
      question(42, { createdAt: at(D, '08:00'), answerCount: 1, firstAnswerAt: at(D, '08:00') + 25 * MIN + 20_000 }),
      question(43, { createdAt: at(D, '08:00'), answerCount: 1, firstAnswerAt: at(D, '08:00') + 40 * MIN }),
      question(44, { createdAt: at(D, '08:00'), answerCount: 1, firstAnswerAt: at(D, '08:00') + 600 * MIN }),
      question(45, { createdAt: at(D, '08:00') }),
      question(46, { createdAt: at(D, '08:00') }),
    ];
    const r = deflectionEstimate({ from: D, to: D }, [], asked, SETTINGS, FINISHED);
    expect(r.medianMinutesToFirstAnswer).toBe(32.7); // (25.333 + 40) / 2
    expect(r.answerRate).toBe(0.6667);
    expect(r.acceptedRate).toBe(0);
  });
});

describe('provisional days', () => {
  const period = { from: '2025-03-01', to: '2025-03-10' };
  const now = at('2025-03-10', '12:00');

  it.each([
    [72, '2025-03-07'],
    [24, '2025-03-09'],
    [1, '2025-03-10'],
  ])('with W = %i h, days from %s on are provisional', (w, first) => {
    expect(report([], { ...period, now, settings: { windowHours: w } }).provisionalFrom).toBe(first);
    expect(isProvisional(first, w, now)).toBe(true);
    expect(isProvisional(dateOf(Date.parse(first) - 86_400_000), w, now)).toBe(false);
  });

  it('none once every window has passed', () => {
    expect(report([], { ...period, now: at('2025-03-14', '00:00') }).provisionalFrom).toBeNull();
    expect(report([], { ...period, now: at('2025-03-13', '23:59') }).provisionalFrom).toBe('2025-03-10');
  });

  it('a provisional credit counts today, and a later question can still cancel it', () => {
    const solved = [ev('vA', 'thread_view', at('2025-03-10', '10:00'), { questionId: 1 }), ev('vA', 'solved', at('2025-03-10', '10:01'), { questionId: 1 })];
    const today = report(solved, { ...period, now });
    expect(today.deflected).toEqual({ low: 1, estimate: 1, high: 1 });
    expect(today.provisionalFrom).toBe('2025-03-07');
    const tomorrow = report([...solved, ev('vA', 'contact_support', at('2025-03-11', '09:00'))], { ...period, now: at('2025-03-11', '10:00') });
    expect(tomorrow.deflected).toEqual({ low: 0, estimate: 0, high: 0 });
    expect(tomorrow.failedDeflections).toBe(1);
  });
});

describe('the holdout', () => {
  const visits = (prefix: string, variant: string, count: number, asked: number) =>
    Array.from({ length: count }, (_, i) => [
      ev(`${prefix}${i}`, 'ask_started', at(D, '10:00'), { variant }),
      ...(i < asked ? [ev(`${prefix}${i}`, 'question_posted', at(D, '11:00'), { questionId: 100 + i })] : []),
    ]).flat();

  it('compares asking with and without suggestions: difference and 95% interval', () => {
    const events = [
      ...visits('s', 'shown', 10, 3),
      ...visits('h', 'hidden', 10, 6),
      ev('s0', 'ask_started', at(D, '15:00'), { variant: 'shown' }), // a second visit the same day: still one
      ev('n0', 'ask_started', at(D, '10:00'), { variant: null }), // no holdout running for this visit
      ev('h7', 'question_posted', at(D, '10:00') + 73 * HOUR, { questionId: 200 }), // asked after W: not counted
      ev('h8', 'question_posted', at(D, '09:00'), { questionId: 201 }), // asked before the visit: not counted
    ];
    const r = report(events, { settings: { holdoutPercent: 10 } });
    expect(r.holdout).toEqual({
      share: 0.1,
      withSuggestions: { visits: 10, asked: 3 },
      withoutSuggestions: { visits: 10, asked: 6 },
      // 0.6 − 0.3 ± 1.96 × √(0.3·0.7/10 + 0.6·0.4/10)
      difference: 0.3,
      ci95: [-0.1158, 0.7158],
    });
    expect(r.failedDeflections).toBe(0);
  });

  it('no difference without visits in both groups, and no holdout block when none runs', () => {
    const onlyShown = report(visits('s', 'shown', 4, 1), { settings: { holdoutPercent: 20 } });
    expect(onlyShown.holdout).toEqual({ share: 0.2, withSuggestions: { visits: 4, asked: 1 }, withoutSuggestions: { visits: 0, asked: 0 }, difference: null, ci95: null });
    expect(report(visits('s', 'shown', 4, 1), { settings: { holdoutPercent: 0 } }).holdout).toBeNull();
  });

  it('a zero-width interval when both groups are certain', () => {
    const r = report([...visits('s', 'shown', 5, 0), ...visits('h', 'hidden', 5, 5)], { settings: { holdoutPercent: 50 } });
    expect(r.holdout).toMatchObject({ difference: 1, ci95: [1, 1] });
  });
});

describe('searches', () => {
  it('counts searches without results and without a click within half an hour, with their queries', () => {
    const events = [
      ev('p1', 'search', at(D, '10:00'), { query: 'wifi', resultCount: 5 }),
      ev('p1', 'result_click', at(D, '10:10'), { questionId: 1 }),
      ev('p2', 'search', at(D, '10:00'), { query: 'wifi', resultCount: 5 }),
      ev('p2', 'result_click', at(D, '10:31'), { questionId: 1 }), // too late
      ev('p3', 'search', at(D, '10:00'), { query: 'factura duplicada', resultCount: 0 }),
      ev('p4', 'search', at(D, '11:00'), { query: 'factura duplicada', resultCount: 0 }),
      ev('p4', 'search', at(D, '11:05'), { query: 'router', resultCount: 4 }),
      ev('p5', 'search', at(D, '12:00'), { query: null, resultCount: 0 }),
      ev('p6', 'result_click', at(D, '09:50'), { questionId: 1 }), // before the search
      ev('p6', 'search', at(D, '10:00'), { query: 'modem', resultCount: 2 }),
      ev('p7', 'search', at(D, '23:50'), { query: 'router', resultCount: 3 }),
      ev('p7', 'result_click', at(D1, '00:10'), { questionId: 1 }), // after midnight, within half an hour
      ev('p8', 'search', at(D, '10:00'), { query: 'router', resultCount: 3 }),
      ev('p8', 'result_click', at(D, '10:30'), { questionId: 1 }), // the last instant of the half hour
      ev('p9', 'search', at(D1, '10:00'), { query: 'next day', resultCount: 0 }), // outside the period
    ];
    const r = report(events);
    expect(r).toMatchObject({ searches: 9, searchesWithoutResults: 3, searchesWithoutClicks: 3 });
    expect(r.queriesWithoutResults).toEqual([{ query: 'factura duplicada', count: 2 }]);
    expect(r.queriesWithoutClicks).toEqual([
      { query: 'modem', count: 1 },
      { query: 'router', count: 1 },
      { query: 'wifi', count: 1 },
    ]);
    expect(r.series[0].searches).toBe(9);
    // Searching is no credit.
    expect(r.deflected).toEqual({ low: 0, estimate: 0, high: 0 });
  });

  it('sums queries over the days of the period', () => {
    const events = [ev('p1', 'search', at(D, '10:00'), { query: 'roaming', resultCount: 0 }), ev('p1', 'search', at(D2, '10:00'), { query: 'roaming', resultCount: 0 }), ev('p2', 'search', at(D1, '10:00'), { query: 'apn', resultCount: 0 })];
    const r = report(events, { from: D, to: D2 });
    expect(r.queriesWithoutResults).toEqual([
      { query: 'roaming', count: 2 },
      { query: 'apn', count: 1 },
    ]);
    expect(r.series.map((d) => d.searches)).toEqual([1, 1, 1]);
  });
});

describe('failed deflections', () => {
  it('counts each person-day once, by the tags of the question asked (else of the thread seen)', () => {
    const events = [
      ev('p1', 'suggestions_shown', at(D, '10:00'), { query: 'wifi router' }),
      ev('p1', 'question_posted', at(D, '10:05'), { questionId: 10 }), // wifi, router
      ev('p2', 'thread_view', at(D, '10:00'), { questionId: 1 }),
      ev('p2', 'contact_support', at(D, '11:00')), // router (the thread)
      ev('p3', 'thread_view', at(D, '10:00'), { questionId: 3 }), // unanswered: nothing was offered
      ev('p3', 'question_posted', at(D, '10:10'), { questionId: 10 }),
      ev('p4', 'suggestions_shown', at(D, '10:00')),
      ev('p4', 'suggestions_shown', at(D, '10:01')),
      ev('p4', 'question_posted', at(D, '10:30'), { questionId: 12 }), // no tags
      ev('p5', 'thread_read', at(D, '10:00'), { questionId: 2 }),
      ev('p5', 'question_posted', at(D, '12:00'), { questionId: 13 }), // unknown question: billing (the thread)
      ev('p6', 'thread_view', at(D, '10:00'), { questionId: 1 }),
      ev('p6', 'question_posted', at(D, '10:00') + 80 * HOUR, { questionId: 10 }), // after W
    ];
    const r = report(events);
    expect(r.failedDeflections).toBe(4);
    expect(r.failedByTag).toEqual([
      { tag: 'router', count: 2 },
      { tag: '(untagged)', count: 1 },
      { tag: 'billing', count: 1 },
      { tag: 'wifi', count: 1 },
    ]);
    expect(r.deflected).toEqual({ low: 0, estimate: 0, high: 0 });
  });
});

describe('lists', () => {
  it('top threads: by weighted credit, then id, at most ten', () => {
    const many = Array.from({ length: 12 }, (_, i) => question(20 + i, { answerCount: 1, hasGoodAnswer: true }));
    const events = [
      ...many.map((q, i) => ev(`r${i}`, 'thread_read', at(D, '10:00'), { questionId: q.id })),
      ev('c1', 'solved', at(D, '10:00'), { questionId: 31 }),
      ev('c2', 'solved', at(D, '10:00'), { questionId: 31 }),
    ];
    const r = report(events, { questions: [...QUESTIONS, ...many] });
    expect(r.deflected).toEqual({ low: 2, estimate: 4.4, high: 14 });
    expect(r.topThreads).toEqual([{ questionId: 31, confirmed: 2, potential: 1 }, ...[20, 21, 22, 23, 24, 25, 26, 27, 28].map((id) => ({ questionId: id, confirmed: 0, potential: 1 }))]);
  });
});

describe('estimateDay', () => {
  it('ignores events before the day and after its window', () => {
    const facts = new Map(QUESTIONS.map((q) => [q.id, q]));
    const events = [
      ev('vA', 'solved', at(D, '23:00') - 86_400_000, { questionId: 1 }), // the day before
      ev('vB', 'thread_read', at(D, '10:00'), { questionId: 1 }),
      ev('vB', 'question_posted', at(D, '10:00') + 73 * HOUR, { questionId: 10 }), // after W
    ];
    expect(estimateDay(D, events, facts, SETTINGS)).toMatchObject({ date: D, confirmed: 0, potential: 1, failed: 0, threads: { 1: { confirmed: 0, potential: 1 } } });
  });
});

// ---------------------------------------------------------------------------------------------------
// Through the recorder and the loader, on a real SQLite file.

describe('recorded and loaded from SQLite', () => {
  let db: Db;
  let dir: string;
  let member: number;
  let staff: number;
  const settings = defaultSettings();
  const DAY = '2025-03-03';
  const anonymous = (visitorId: string): Visit => ({ visitorId, userId: null, role: null, isBot: false, ip: '203.0.113.9' });
  const signedIn = (visitorId: string, userId: number, role: Visit['role'] = 'member'): Visit => ({ visitorId, userId, role, isBot: false, ip: '203.0.113.9' });
  const when = (time: string) => new Date(at(DAY, time));
  const vid = (n: number) => `visitor${String(n).padStart(15, '0')}`;

  beforeAll(() => {
    ({ db, dir } = openTestDb());
    const sql = db.$client;
    const user = (name: string, role: string) =>
      Number(sql.prepare("insert into users (username, username_key, display_name, role) values (?, ?, ?, ?)").run(name, name, name, role).lastInsertRowid);
    member = user('ana', 'member');
    staff = user('sol', 'staff');
    const now = at('2025-01-10');
    sql.prepare('insert into questions (id, author_id, title, slug, body_md, body_html, answer_count, created_at, last_activity_at) values (1, ?, ?, ?, ?, ?, 1, ?, ?)').run(member, 'Router blinks red', 'router-blinks-red', 'x', '<p>x</p>', now, now);
    sql.prepare('insert into answers (id, question_id, author_id, body_md, body_html, score, created_at) values (1, 1, ?, ?, ?, 2, ?)').run(staff, 'Restart it', '<p>Restart it</p>', now);
  });

  afterAll(() => {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const reportOf = (from = DAY, to = from) => deflectionReport(db, { from, to }, settings, FINISHED);

  it('signed out, then signed in (visitor linked), is one person: one confirmed credit, no extra potential', () => {
    const v = vid(1);
    recordEvent(db, anonymous(v), settings, 'thread_read', { questionId: 1 }, when('09:00'));
    linkVisitor(db, v, member, when('09:10'));
    recordEvent(db, signedIn(v, member), settings, 'solved', { questionId: 1 }, when('09:20'));
    // …and after signing out again, the same cookie is still the same person.
    recordEvent(db, anonymous(v), settings, 'thread_read', { questionId: 1 }, when('18:00'));
    expect(reportOf().deflected).toEqual({ low: 1, estimate: 1, high: 1 });
  });

  it('an unlinked visitor stays a separate person', () => {
    recordEvent(db, anonymous(vid(2)), settings, 'thread_read', { questionId: 1 }, new Date(at('2025-03-04', '09:00')));
    recordEvent(db, signedIn(vid(3), member), settings, 'solved', { questionId: 1 }, new Date(at('2025-03-04', '09:20')));
    expect(reportOf('2025-03-04').deflected).toEqual({ low: 1, estimate: 1.2, high: 2 });
  });

  it('a visitor whose events are signed in is linked by recording them', () => {
    recordEvent(db, signedIn(vid(4), member), settings, 'search', { query: 'x', resultCount: 0 }, new Date(at('2025-03-05', '09:00')));
    expect(db.$client.prepare('select user_id as userId from visitor_links where visitor_id = ?').get(vid(4))).toEqual({ userId: member });
  });

  it("the service's batches, windows and stored days give what the estimator gives on all events at once", () => {
    // A second forum: 45 days of pseudo-random events, some visitors linked, W both shorter and longer than
    // a batch, some days already stored (not contiguous), the last days still provisional.
    const { db: other, dir: otherDir } = openTestDb();
    try {
      const sql = other.$client;
      const ms = (iso: string) => Date.parse(iso);
      sql.prepare("insert into users (id, username, username_key, display_name, role) values (1, 'm', 'm', 'm', 'member'), (2, 's', 's', 's', 'staff'), (3, 'n', 'n', 'n', 'member')").run();
      const q = sql.prepare('insert into questions (id, author_id, title, slug, body_md, body_html, answer_count, accepted_answer_id, accepted_at, created_at, last_activity_at) values (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      const a = sql.prepare('insert into answers (id, question_id, author_id, body_md, body_html, score, created_at) values (?, ?, ?, ?, ?, ?, ?)');
      const rows: [number, number, number | null, number | null, string][] = [
        [1, 2, 1, ms('2025-01-10T09:00:00Z'), '2024-12-01T10:00:00Z'],
        [2, 1, null, null, '2024-12-05T10:00:00Z'],
        [3, 0, null, null, '2024-12-07T10:00:00Z'],
        [4, 1, 4, ms('2025-01-16T09:00:00Z'), '2025-01-15T08:00:00Z'],
        [5, 1, null, null, '2025-02-01T00:00:00Z'],
      ];
      for (const [id, count, accepted, acceptedAt, created] of rows) q.run(id, `Question ${id}`, `q-${id}`, 'x', '<p>x</p>', count, accepted, acceptedAt, ms(created), ms(created));
      a.run(1, 1, 1, 'x', '<p>x</p>', 0, ms('2024-12-02T10:00:00Z'));
      a.run(2, 1, 2, 'x', '<p>x</p>', 3, ms('2024-12-03T10:00:00Z'));
      a.run(3, 2, 1, 'x', '<p>x</p>', 0, ms('2024-12-06T10:00:00Z'));
      a.run(4, 4, 2, 'x', '<p>x</p>', 1, ms('2025-01-15T10:00:00Z'));
      a.run(5, 5, 1, 'x', '<p>x</p>', 2, ms('2025-02-01T02:00:00Z'));
      sql.prepare("insert into tags (id, name) values (1, 'wifi'), (2, 'billing'), (3, 'router')").run();
      sql.prepare('insert into question_tags (question_id, tag_id) values (4, 1), (4, 2), (1, 3)').run();
      const facts: QuestionFacts[] = [
        question(1, { createdAt: ms('2024-12-01T10:00:00Z'), answerCount: 2, hasGoodAnswer: true, acceptedAt: ms('2025-01-10T09:00:00Z'), firstAnswerAt: ms('2024-12-02T10:00:00Z'), tags: ['router'] }),
        question(2, { createdAt: ms('2024-12-05T10:00:00Z'), answerCount: 1, firstAnswerAt: ms('2024-12-06T10:00:00Z') }),
        question(3, { createdAt: ms('2024-12-07T10:00:00Z') }),
        question(4, { createdAt: ms('2025-01-15T08:00:00Z'), answerCount: 1, hasGoodAnswer: true, acceptedAt: ms('2025-01-16T09:00:00Z'), acceptedByStaff: true, firstAnswerAt: ms('2025-01-15T10:00:00Z'), tags: ['wifi', 'billing'] }),
        question(5, { createdAt: ms('2025-02-01T00:00:00Z'), answerCount: 1, hasGoodAnswer: true, firstAnswerAt: ms('2025-02-01T02:00:00Z') }),
      ];

      // Visitors 0–29; 0–5 linked to member 1, 6–8 to member 3; some events carry the user id itself.
      let seed = 12_345;
      const next = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed % n;
      };
      const visitor = (n: number) => `visitor${String(n).padStart(15, '0')}`;
      for (let n = 0; n < 9; n++) linkVisitor(other, visitor(n), n < 6 ? 1 : 3, new Date(ms('2024-12-20T00:00:00Z')));
      const kinds: EventKind[] = ['search', 'search', 'result_click', 'thread_view', 'thread_view', 'thread_read', 'thread_read', 'solved', 'not_solved', 'suggestions_shown', 'question_posted', 'contact_support', 'ask_started', 'ask_abandoned'];
      const start = ms('2025-01-01T00:00:00Z');
      const insert = sql.prepare('insert into deflection_events (at, kind, visitor_id, user_id, question_id, query, result_count, variant) values (?, ?, ?, ?, ?, ?, ?, ?)');
      const expected: EstimatorEvent[] = [];
      for (let i = 0; i < 2_500; i++) {
        const at = start + next(46 * 24) * HOUR + next(60) * MIN;
        const kind = kinds[next(kinds.length)];
        const v = next(30);
        const userId = v < 9 && next(2) === 0 ? (v < 6 ? 1 : 3) : null;
        const questionId = next(7) === 0 ? null : [1, 2, 3, 4, 5, 99][next(6)];
        const query = kind === 'search' ? ['wifi', 'router', 'factura'][next(3)] : null;
        const resultCount = kind === 'search' ? next(3) : null;
        const variant = kind === 'ask_started' ? ['shown', 'hidden', null][next(3)] : null;
        insert.run(at, kind, visitor(v), userId, questionId, query, resultCount, variant);
        expected.push({ at, kind, person: v < 9 ? `u${v < 6 ? 1 : 3}` : `v${visitor(v)}`, questionId, query, resultCount, variant });
      }
      // Every night a search just before midnight, its result clicked 15 (even days) or 35 minutes later.
      for (let day = 0; day < 46; day++) {
        const search = start + day * 86_400_000 + 23 * HOUR + 50 * MIN;
        const click = search + (day % 2 ? 35 : 15) * MIN;
        insert.run(search, 'search', visitor(40), null, null, 'late', 2, null);
        insert.run(click, 'result_click', visitor(40), null, 1, 'late', null, null);
        expected.push({ at: search, kind: 'search', person: `v${visitor(40)}`, questionId: null, query: 'late', resultCount: 2, variant: null });
        expected.push({ at: click, kind: 'result_click', person: `v${visitor(40)}`, questionId: 1, query: 'late', resultCount: null, variant: null });
      }

      const now = ms('2025-02-14T12:00:00Z');
      const period = { from: '2025-01-01', to: '2025-02-14' };
      for (const windowHours of [24, 72, 400]) {
        const settings = { ...defaultSettings(), deflectionWindowHours: windowHours, holdoutPercent: 10 };
        const estimator = { ...SETTINGS, windowHours, currency: 'USD', holdoutPercent: 10 };
        // Some days stored first, by reports over shorter periods.
        deflectionReport(other, { from: '2025-01-05', to: '2025-01-07' }, settings, now);
        deflectionReport(other, { from: '2025-01-20', to: '2025-01-20' }, settings, now);
        const want = deflectionEstimate(period, expected, facts, estimator, now);
        expect(want.deflected.high).toBeGreaterThan(0);
        expect(deflectionReport(other, period, settings, now), `W = ${windowHours}`).toEqual(want);
        // And again, now from the stored days.
        expect(deflectionReport(other, period, settings, now), `W = ${windowHours}, stored`).toEqual(want);
      }
    } finally {
      closeDatabase(other);
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('never stores bots, moderators, staff or admins, and stores normalized queries', () => {
    const before = (db.$client.prepare('select count(*) as n from deflection_events').get() as { n: number }).n;
    expect(recordEvent(db, { ...anonymous(vid(5)), isBot: true }, settings, 'solved', { questionId: 1 }, when('10:00'))).toBe(false);
    expect(recordEvent(db, { ...anonymous(vid(5)), visitorId: null }, settings, 'solved', { questionId: 1 }, when('10:00'))).toBe(false);
    for (const role of ['moderator', 'staff', 'admin'] as const) {
      expect(recordEvent(db, signedIn(vid(6), staff, role), settings, 'solved', { questionId: 1 }, when('10:00'))).toBe(false);
    }
    expect(recordEvent(db, anonymous(vid(7)), { ...settings, internalNetworks: '198.51.100.0/24\n203.0.113.0/24' }, 'solved', { questionId: 1 }, when('10:00'))).toBe(false);
    expect((db.$client.prepare('select count(*) as n from deflection_events').get() as { n: number }).n).toBe(before);
    expect(recordEvent(db, anonymous(vid(8)), settings, 'search', { query: '  Router\tBLINKS   Red ', resultCount: 2 }, when('11:00'))).toBe(true);
    expect(db.$client.prepare('select query from deflection_events where visitor_id = ?').get(vid(8))).toEqual({ query: 'router blinks red' });
  });
});
