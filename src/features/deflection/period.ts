// Owns reading a report period (from/to as YYYY-MM-DD, UTC) from user input, with the last 30 days as default.
import { invalid } from '../../lib/errors.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** Longest period one report covers. */
export const MAX_DAYS = 366;

function parseDay(field: 'from' | 'to', raw: string): string {
  if (!DATE.test(raw) || Number.isNaN(Date.parse(`${raw}T00:00:00Z`)) || new Date(`${raw}T00:00:00Z`).toISOString().slice(0, 10) !== raw) {
    throw invalid(field, 'deflection.badDate');
  }
  return raw;
}

export function periodFrom(from: string | undefined, to: string | undefined, now = Date.now()): { from: string; to: string } {
  const end = to ? parseDay('to', to) : new Date(now).toISOString().slice(0, 10);
  const start = from ? parseDay('from', from) : new Date(Date.parse(`${end}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  if (start > end) throw invalid('from', 'deflection.badPeriod');
  if ((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS + 1 > MAX_DAYS) throw invalid('from', 'deflection.periodTooLong', { max: MAX_DAYS });
  return { from: start, to: end };
}
