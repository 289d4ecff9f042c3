// Bench and test helper: a real forum (buildApp) on 127.0.0.1 with a fresh temporary database holding the
// demo community (Spanish and English threads), a thread with 35 answers and enough questions under one tag
// for numbered pagination: the pages search engines land on, for Lighthouse.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { closeDatabase, openDatabase } from '../../src/db/client.ts';
import { registerUser, setRole } from '../../src/features/accounts/service.ts';
import { acceptAnswer, postAnswer } from '../../src/features/answers/service.ts';
import { seedDemo } from '../../src/features/demo/seed.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings } from '../../src/features/settings/service.ts';

export const BIG_THREAD_ANSWERS = 35;

export interface SeoSite {
  baseUrl: string;
  /** The four pages measured: home, a tag page, a thread with 35 answers, a search results page. */
  pages: { name: string; path: string }[];
  close: () => Promise<void>;
}

const SENTENCES = [
  'Check that the router has the latest firmware; the update page is under Administration.',
  'Turn off band steering and give the 2.4 GHz and 5 GHz networks different names.',
  'Revisa si el canal está saturado: prueba el 1, el 6 o el 11 en la banda de 2,4 GHz.',
  'A scheduled reboot at night is often the culprit: look under System → Schedule.',
  'Desactiva el ahorro de energía del adaptador inalámbrico en el portátil.',
  'If the cable connection stays up, the problem is the radio, not the line.',
];

export async function startSeoSite(options: { logLevel?: string } = {}): Promise<SeoSite> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-seo-site-'));
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_PATH: path.join(dir, 'forum.db'), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: options.logLevel ?? 'silent' });
  const db = openDatabase(config.databasePath);
  try {
    await seedDemo(db);
    const settings = getSettings(db);
    const people = [];
    for (let i = 1; i <= 8; i++) {
      const user = await registerUser(db, { username: `lh_helper_${i}`, email: `lh_helper_${i}@example.com`, password: `lighthouse helper password ${i}` });
      setRole(db, user.username, 'staff'); // no posting limits while seeding
      people.push({ id: user.id, role: 'staff' as const, reputation: 1, createdAt: new Date(0) });
    }
    const t0 = Date.now() - 10 * 86_400_000;
    const at = (minutes: number) => new Date(t0 + minutes * 60_000);
    const thread = askQuestion(
      db,
      people[0],
      {
        title: 'The router drops the wifi connection every evening at eight',
        body: 'Every evening at about eight the **wifi** drops for a few minutes and then comes back. The cable connection stays up. Model `RT-AC68U`. Any idea what this could be?',
        tags: 'router wifi',
      },
      settings,
      at(0),
    );
    let accepted = 0;
    for (let i = 0; i < BIG_THREAD_ANSWERS; i++) {
      const body = `${SENTENCES[i % SENTENCES.length]} ${SENTENCES[(i + 2) % SENTENCES.length]}\n\n- Step ${i + 1}: note the time it drops.\n- Then compare with the router log.`;
      const { id } = postAnswer(db, people[1 + (i % 7)], thread.id, { body }, settings, at(10 + i * 7));
      if (i === 3) accepted = id;
    }
    acceptAnswer(db, people[0], thread.id, accepted, settings, at(400));
    for (let i = 0; i < 45; i++) {
      askQuestion(db, people[i % 8], { title: `Wifi question number ${i + 1}: the signal is weak upstairs`, body: `Upstairs the wifi signal is weak (case ${i + 1}). Would a mesh system or a repeater help?`, tags: 'wifi' }, settings, at(500 + i * 11));
    }

    const app = await buildApp(config, { db });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    // Canonical links, sitemaps and feeds use the address the browser really uses.
    config.baseUrl = baseUrl;
    await app.searchIndex.sync(120_000);
    return {
      baseUrl,
      pages: [
        { name: 'home', path: '/' },
        { name: 'tag page', path: '/questions?tag=wifi' },
        { name: `thread (${BIG_THREAD_ANSWERS} answers)`, path: thread.url },
        { name: 'search', path: '/search?q=wifi+router' },
      ],
      close: async () => {
        try {
          await app.close();
        } finally {
          closeDatabase(db);
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
