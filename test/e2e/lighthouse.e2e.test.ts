// Lighthouse's SEO and Accessibility scores on the pages search engines land on, asserted (they do not depend
// on machine speed; performance does, so bench/lighthouse.ts reports it instead). Kept to four runs of the two
// categories, mobile and desktop presets mixed, since CI has two cores: home, a tag page, a thread with 35
// answers, and a search page (noindex on purpose: only "is crawlable" may fail there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchLighthouse, type LighthouseBrowser } from '../../bench/lib/lighthouse-run.ts';
import { startSeoSite, type SeoSite } from '../../bench/lib/seo-site.ts';

let site: SeoSite;
let browser: LighthouseBrowser;
const RUN_MS = 120_000;

beforeAll(async () => {
  site = await startSeoSite();
  browser = await launchLighthouse();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const page = (name: string) => site.pages.find((p) => p.name.startsWith(name))!.path;

describe('Lighthouse', () => {
  const cases = [
    ['home', 'mobile'],
    ['thread', 'mobile'],
    ['tag page', 'desktop'],
  ] as const;
  for (const [name, preset] of cases) {
    it(
      `${name} (${preset}): SEO 100 and Accessibility 100`,
      async () => {
        const result = await browser.run(site.baseUrl + page(name), preset, ['seo', 'accessibility']);
        expect(result.failing, JSON.stringify(result.failing)).toEqual({ seo: [], accessibility: [] });
        expect(result.scores).toEqual({ seo: 100, accessibility: 100 });
      },
      RUN_MS,
    );
  }

  it(
    'search (desktop): Accessibility 100; of SEO only "is crawlable" fails, because results pages are noindex',
    async () => {
      const result = await browser.run(site.baseUrl + page('search'), 'desktop', ['seo', 'accessibility']);
      expect(result.scores.accessibility).toBe(100);
      expect(result.failing.accessibility).toEqual([]);
      expect(result.failing.seo?.map((audit) => audit.id)).toEqual(['is-crawlable']);
    },
    RUN_MS,
  );
});
