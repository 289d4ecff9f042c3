// Owns the deflection report's chart: a pure function from the daily series to an SVG string. No script and
// no inline style (the CSP forbids both): colours are presentation attributes. The SVG is one image to a
// screen reader (role="img" with <title> and <desc>); the page gives the same figures as a table.
import { escapeHtml } from '../../lib/escape.ts';

export interface ChartDay {
  date: string;
  low: number;
  estimate: number;
  high: number;
  provisional: boolean;
}

export interface ChartText {
  /** Short name of the chart, read first by screen readers. */
  title: string;
  /** A sentence or two that summarises what the chart shows. */
  description: string;
  /** Label of the shaded provisional part. */
  provisional: string;
  /** A day (YYYY-MM-DD) as axis text, in the reader's language. */
  formatDay: (date: string) => string;
  /** A count as axis text, in the reader's language. */
  formatNumber: (value: number) => string;
  /** Prefix of the ids of <title> and <desc>, unique on the page. */
  idPrefix?: string;
}

export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 280;
const MARGIN = { top: 24, right: 16, bottom: 36, left: 48 };
const MAX_X_LABELS = 6;
/** Above this many days the points are not marked one by one. */
const MAX_MARKED_DAYS = 45;

export const CHART_COLOURS = {
  band: '#cfe0f3',
  estimate: '#0b5cad',
  grid: '#d5dae0',
  axis: '#8a939d',
  text: '#4f5761',
  provisional: '#eef0f2',
} as const;

const fixed = (n: number) => String(Math.round(n * 10) / 10);

/** A step of 1, 2 or 5 times a power of ten, whole (people are counted in whole numbers). */
export function niceStep(max: number, ticks = 4): number {
  const raw = Math.max(max, 1) / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? 10 * power;
  return Math.max(1, step);
}

/** Which days get a label under the x axis: the first, the last and some evenly in between. */
export function labelledDays(count: number, max = MAX_X_LABELS): number[] {
  if (count <= 0) return [];
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  const indexes = new Set<number>();
  for (let k = 0; k < max; k++) indexes.add(Math.round((k * (count - 1)) / (max - 1)));
  return [...indexes].sort((a, b) => a - b);
}

export function deflectionChart(days: ChartDay[], text: ChartText): string {
  const prefix = text.idPrefix ?? 'deflection-chart';
  const plotWidth = CHART_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = CHART_HEIGHT - MARGIN.top - MARGIN.bottom;
  const bottom = MARGIN.top + plotHeight;
  const n = days.length;
  const step = niceStep(Math.max(0, ...days.map((d) => d.high)));
  const top = Math.max(step, Math.ceil(Math.max(0, ...days.map((d) => d.high)) / step) * step);
  const slot = n > 1 ? plotWidth / (n - 1) : plotWidth;
  const x = (i: number) => (n > 1 ? MARGIN.left + i * slot : MARGIN.left + plotWidth / 2);
  const y = (value: number) => bottom - (Math.max(0, value) / top) * plotHeight;
  const point = (i: number, value: number) => `${fixed(x(i))},${fixed(y(value))}`;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-labelledby="${prefix}-title ${prefix}-desc">`,
    `<title id="${prefix}-title">${escapeHtml(text.title)}</title>`,
    `<desc id="${prefix}-desc">${escapeHtml(text.description)}</desc>`,
  );

  // Provisional days: a shaded area behind everything, from half a day before the first one.
  const firstProvisional = days.findIndex((d) => d.provisional);
  if (firstProvisional >= 0) {
    const left = n > 1 ? Math.max(MARGIN.left, x(firstProvisional) - slot / 2) : MARGIN.left;
    const width = MARGIN.left + plotWidth - left;
    parts.push(
      `<g class="chart-provisional">`,
      `<rect x="${fixed(left)}" y="${MARGIN.top}" width="${fixed(width)}" height="${plotHeight}" fill="${CHART_COLOURS.provisional}"/>`,
      `<text x="${fixed(left + width - 4)}" y="${MARGIN.top - 8}" text-anchor="end" font-size="12" fill="${CHART_COLOURS.text}">${escapeHtml(text.provisional)}</text>`,
      `</g>`,
    );
  }

  // Horizontal grid and the y axis labels.
  parts.push(`<g class="chart-grid">`);
  for (let value = 0; value <= top; value += step) {
    const at = fixed(y(value));
    parts.push(
      `<line x1="${MARGIN.left}" y1="${at}" x2="${MARGIN.left + plotWidth}" y2="${at}" stroke="${value === 0 ? CHART_COLOURS.axis : CHART_COLOURS.grid}" stroke-width="1"/>`,
      `<text x="${MARGIN.left - 6}" y="${at}" dy="4" text-anchor="end" font-size="12" fill="${CHART_COLOURS.text}">${escapeHtml(text.formatNumber(value))}</text>`,
    );
  }
  parts.push(`</g>`);

  if (n > 0) {
    // The range from low (confirmed only) to high (confirmed and every potential deflection).
    if (n > 1) {
      const upper = days.map((d, i) => point(i, d.high));
      const lower = days.map((d, i) => point(i, d.low)).reverse();
      parts.push(`<polygon class="chart-range" points="${[...upper, ...lower].join(' ')}" fill="${CHART_COLOURS.band}"/>`);
    } else {
      parts.push(
        `<line class="chart-range" x1="${fixed(x(0))}" y1="${fixed(y(days[0].low))}" x2="${fixed(x(0))}" y2="${fixed(y(days[0].high))}" stroke="${CHART_COLOURS.band}" stroke-width="16"/>`,
      );
    }

    // The estimate: a solid line over final days, dashed over provisional ones.
    const finalEnd = firstProvisional >= 0 ? firstProvisional : n;
    if (finalEnd > 1) {
      const solid = days.slice(0, finalEnd).map((d, i) => point(i, d.estimate));
      parts.push(`<polyline class="chart-estimate" points="${solid.join(' ')}" fill="none" stroke="${CHART_COLOURS.estimate}" stroke-width="2.5"/>`);
    }
    if (firstProvisional >= 0) {
      const from = Math.max(0, firstProvisional - 1);
      const dashed = days.slice(from).map((d, i) => point(from + i, d.estimate));
      if (dashed.length > 1) {
        parts.push(
          `<polyline class="chart-estimate-provisional" points="${dashed.join(' ')}" fill="none" stroke="${CHART_COLOURS.estimate}" stroke-width="2.5" stroke-dasharray="6 4"/>`,
        );
      }
    }
    if (n <= MAX_MARKED_DAYS) {
      parts.push(`<g class="chart-points" fill="${CHART_COLOURS.estimate}">`);
      days.forEach((d, i) => parts.push(`<circle cx="${fixed(x(i))}" cy="${fixed(y(d.estimate))}" r="${n > 1 ? 3 : 5}"/>`));
      parts.push(`</g>`);
    }
  }

  // Days under the x axis.
  parts.push(`<g class="chart-days">`);
  for (const i of labelledDays(n)) {
    const anchor = n === 1 ? 'middle' : i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle';
    parts.push(
      `<text x="${fixed(x(i))}" y="${bottom + 20}" text-anchor="${anchor}" font-size="12" fill="${CHART_COLOURS.text}">${escapeHtml(text.formatDay(days[i].date))}</text>`,
    );
  }
  parts.push(`</g>`, `</svg>`);
  return parts.join('\n');
}

export interface HealthChartWeek {
  /** First day of the week (YYYY-MM-DD). */
  date: string;
  /** Share of the week's questions answered within the first-response target, 0–1; null when none was asked. */
  withinTarget: number | null;
  /** Questions of the week still unanswered and past the target. */
  openBreaches: number;
}

/**
 * Response health per week, in the same style as the deflection chart: the share answered within the target
 * as a line on a 0–100 % axis (weeks without questions leave a gap), and the open breaches as bars along the
 * bottom, labelled with their count. The page gives the same figures as a table.
 */
export function healthChart(weeks: HealthChartWeek[], text: Omit<ChartText, 'provisional'> & { formatPercent: (share: number) => string }): string {
  const prefix = text.idPrefix ?? 'health-chart';
  const plotWidth = CHART_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = CHART_HEIGHT - MARGIN.top - MARGIN.bottom;
  const bottom = MARGIN.top + plotHeight;
  const n = weeks.length;
  const slot = plotWidth / Math.max(n, 1);
  const x = (i: number) => MARGIN.left + slot * (i + 0.5);
  const y = (share: number) => bottom - Math.min(1, Math.max(0, share)) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-labelledby="${prefix}-title ${prefix}-desc">`,
    `<title id="${prefix}-title">${escapeHtml(text.title)}</title>`,
    `<desc id="${prefix}-desc">${escapeHtml(text.description)}</desc>`,
    `<g class="chart-grid">`,
  ];
  for (const share of [0, 0.25, 0.5, 0.75, 1]) {
    const at = fixed(y(share));
    parts.push(
      `<line x1="${MARGIN.left}" y1="${at}" x2="${MARGIN.left + plotWidth}" y2="${at}" stroke="${share === 0 ? CHART_COLOURS.axis : CHART_COLOURS.grid}" stroke-width="1"/>`,
      `<text x="${MARGIN.left - 6}" y="${at}" dy="4" text-anchor="end" font-size="12" fill="${CHART_COLOURS.text}">${escapeHtml(text.formatPercent(share))}</text>`,
    );
  }
  parts.push(`</g>`);
  // Open breaches: bars up to a quarter of the plot, scaled to the worst week, each with its count.
  const worst = Math.max(0, ...weeks.map((w) => w.openBreaches));
  if (worst > 0) {
    parts.push(`<g class="chart-breaches" fill="${CHART_COLOURS.band}">`);
    weeks.forEach((w, i) => {
      if (w.openBreaches === 0) return;
      const height = Math.max(2, (w.openBreaches / worst) * plotHeight * 0.25);
      const width = Math.min(32, slot * 0.6);
      parts.push(
        `<rect x="${fixed(x(i) - width / 2)}" y="${fixed(bottom - height)}" width="${fixed(width)}" height="${fixed(height)}"/>`,
        `<text x="${fixed(x(i))}" y="${fixed(bottom - height - 4)}" text-anchor="middle" font-size="11" fill="${CHART_COLOURS.text}">${escapeHtml(text.formatNumber(w.openBreaches))}</text>`,
      );
    });
    parts.push(`</g>`);
  }
  // The share within target: one polyline per run of weeks that had questions.
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1) parts.push(`<polyline class="chart-estimate" points="${run.join(' ')}" fill="none" stroke="${CHART_COLOURS.estimate}" stroke-width="2.5"/>`);
    run = [];
  };
  weeks.forEach((w, i) => (w.withinTarget === null ? flush() : run.push(`${fixed(x(i))},${fixed(y(w.withinTarget))}`)));
  flush();
  parts.push(`<g class="chart-points" fill="${CHART_COLOURS.estimate}">`);
  weeks.forEach((w, i) => {
    if (w.withinTarget !== null) parts.push(`<circle cx="${fixed(x(i))}" cy="${fixed(y(w.withinTarget))}" r="4"/>`);
  });
  parts.push(`</g>`, `<g class="chart-days">`);
  for (const i of labelledDays(n)) {
    parts.push(`<text x="${fixed(x(i))}" y="${bottom + 20}" text-anchor="middle" font-size="12" fill="${CHART_COLOURS.text}">${escapeHtml(text.formatDay(weeks[i].date))}</text>`);
  }
  parts.push(`</g>`, `</svg>`);
  return parts.join('\n');
}
