// Bench and test helper: Lighthouse 12 (the npm package) driving Debian's Chromium (/usr/bin/chromium) through
// chrome-launcher, with Lighthouse's mobile (default) or desktop preset; returns the category scores (0–100)
// and the failing audits of each category.
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';

export const CHROMIUM_PATH = process.env.RESUELTO_CHROMIUM ?? '/usr/bin/chromium';
export type Preset = 'mobile' | 'desktop';
export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface LighthouseScores {
  url: string;
  preset: Preset;
  /** Score per category run, 0–100. */
  scores: Partial<Record<Category, number>>;
  /** Audits that did not pass, per category: id and title. */
  failing: Partial<Record<Category, { id: string; title: string }[]>>;
  ms: number;
}

export interface LighthouseBrowser {
  run: (url: string, preset: Preset, categories?: readonly Category[]) => Promise<LighthouseScores>;
  close: () => Promise<void>;
}

export async function launchLighthouse(): Promise<LighthouseBrowser> {
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM_PATH,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
    logLevel: 'silent',
  });
  return {
    run: async (url, preset, categories = CATEGORIES) => {
      const started = Date.now();
      const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...categories] }, preset === 'desktop' ? desktopConfig : undefined);
      if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
      const { lhr } = result;
      if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      const scores: LighthouseScores['scores'] = {};
      const failing: LighthouseScores['failing'] = {};
      for (const category of categories) {
        const entry = lhr.categories[category];
        if (!entry) continue;
        scores[category] = Math.round((entry.score ?? 0) * 100);
        failing[category] = entry.auditRefs
          .filter((ref) => ref.weight > 0)
          .map((ref) => lhr.audits[ref.id])
          .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== 'informative' && audit.scoreDisplayMode !== 'notApplicable')
          .map((audit) => ({ id: audit.id, title: audit.title }));
      }
      return { url, preset, scores, failing, ms: Date.now() - started };
    },
    close: async () => {
      chrome.kill();
    },
  };
}
