// Lighthouse on the pages search engines land on: home, a tag page, a thread with 35 answers and a search
// results page, with Lighthouse's mobile and desktop presets, on a real forum in this process. Prints the four
// category scores per page and preset, and the audits that did not pass.
//
// Targets (issue 17): SEO 100, Accessibility 100, Best practices 100, Performance ≥ 95 on mobile. The search
// page is noindex on purpose (endless, thin pages), so its SEO score loses the "is crawlable" audit.
// Performance uses Lighthouse's simulated throttling: it depends on the machine less than wall-clock time, but
// still some; the figure is reported, never asserted.
//
// npm run bench:lighthouse            (all 8 runs)
// BENCH_PRESETS=mobile npm run bench:lighthouse
import os from 'node:os';
import { CATEGORIES, launchLighthouse, type Preset } from './lib/lighthouse-run.ts';
import { startSeoSite } from './lib/seo-site.ts';

const presets = (process.env.BENCH_PRESETS?.split(',') ?? ['mobile', 'desktop']) as Preset[];
const site = await startSeoSite();
const browser = await launchLighthouse();
console.log(`Lighthouse 12 on ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, forum in this process at ${site.baseUrl}`);
console.log('');
const header = ['page', 'preset', ...CATEGORIES, 'seconds'];
const rows: string[][] = [];
const notes: string[] = [];
try {
  for (const preset of presets) {
    for (const page of site.pages) {
      const result = await browser.run(site.baseUrl + page.path, preset);
      rows.push([page.name, preset, ...CATEGORIES.map((c) => String(result.scores[c] ?? '–')), (result.ms / 1000).toFixed(1)]);
      for (const category of CATEGORIES) {
        for (const audit of result.failing[category] ?? []) notes.push(`${page.name} (${preset}) ${category}: ${audit.id} — ${audit.title}`);
      }
      console.error(`  done: ${page.name} (${preset})`);
    }
  }
} finally {
  await browser.close();
  await site.close();
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log('');
console.log(notes.length ? `Audits that did not pass:\n${notes.map((n) => `- ${n}`).join('\n')}` : 'Every scored audit passed.');
