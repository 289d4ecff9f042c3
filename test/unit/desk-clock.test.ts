// The first-response clock with a fake "now": all hours, and business hours across nights and weekends.
import { describe, expect, it } from 'vitest';
import { clockMillis, firstResponseClock, parseBusinessHours } from '../../src/features/desk/clock.ts';

const at = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

describe('business hours', () => {
  it('parses days and hours, and refuses what does not make sense', () => {
    const hours = parseBusinessHours('mon-fri 09:00-17:00')!;
    expect([...hours.days].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(hours).toMatchObject({ start: 540, end: 1020 });
    expect([...parseBusinessHours('fri-mon 10:00-12:00')!.days].sort()).toEqual([0, 1, 5, 6]);
    expect(parseBusinessHours('')).toBeNull();
    expect(parseBusinessHours('mon-fri 17:00-09:00')).toBeNull();
    expect(parseBusinessHours('someday 09:00-17:00')).toBeNull();
  });

  it('without business hours the clock is wall time', () => {
    expect(clockMillis(at('2026-12-04T16:00:00Z'), at('2026-12-05T16:00:00Z'), null)).toBe(24 * HOUR);
    expect(clockMillis(at('2026-12-05T16:00:00Z'), at('2026-12-04T16:00:00Z'), null)).toBe(0);
  });

  it('counts only open hours: a question asked on Friday at 16:00 has used 2 h by Monday 10:00', () => {
    const hours = parseBusinessHours('mon-fri 09:00-17:00');
    // 2026-12-04 is a Friday.
    expect(clockMillis(at('2026-12-04T16:00:00Z'), at('2026-12-07T10:00:00Z'), hours)).toBe(2 * HOUR);
    // Asked on Saturday night: nothing runs until Monday 09:00.
    expect(clockMillis(at('2026-12-05T22:00:00Z'), at('2026-12-07T09:00:00Z'), hours)).toBe(0);
    expect(clockMillis(at('2026-12-05T22:00:00Z'), at('2026-12-07T09:30:00Z'), hours)).toBe(HOUR / 2);
  });
});

describe('the first-response clock', () => {
  it('is amber from 75 % of the target and red once breached', () => {
    const since = at('2026-12-01T00:00:00Z');
    expect(firstResponseClock(since, at('2026-12-01T17:59:00Z'), 24, null).state).toBe('ok');
    expect(firstResponseClock(since, at('2026-12-01T18:00:00Z'), 24, null).state).toBe('amber');
    expect(firstResponseClock(since, at('2026-12-01T23:59:00Z'), 24, null).state).toBe('amber');
    expect(firstResponseClock(since, at('2026-12-02T00:00:00Z'), 24, null)).toMatchObject({ state: 'red', elapsedMinutes: 1440, targetMinutes: 1440 });
  });

  it('with business hours, a weekend does not breach an 8 h target', () => {
    const hours = parseBusinessHours('mon-fri 09:00-17:00');
    const friday = at('2026-12-04T15:00:00Z');
    // Friday 15:00 -> Monday 09:00: 2 h used of 8.
    expect(firstResponseClock(friday, at('2026-12-07T09:00:00Z'), 8, hours)).toMatchObject({ state: 'ok', elapsedMinutes: 120 });
    // Monday 13:00: 6 h used, 75 %.
    expect(firstResponseClock(friday, at('2026-12-07T13:00:00Z'), 8, hours).state).toBe('amber');
    // Monday 15:00: 8 h, breached; the same wall time without business hours would have been red since Saturday.
    expect(firstResponseClock(friday, at('2026-12-07T15:00:00Z'), 8, hours).state).toBe('red');
    expect(firstResponseClock(friday, at('2026-12-05T00:00:00Z'), 8, null).state).toBe('red');
  });
});
