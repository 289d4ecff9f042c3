// No N+1 on the thread page: the statements one view runs do not grow with its answers and comments. Counted
// with better-sqlite3's statement hook, for threads of 1 and of 50 answers (each with two comments), as a
// signed-in member without the comment privilege (the path that once asked the database about every post), as
// a moderator, and signed out (rendered, then kept).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { closeDatabase, openDatabase, type Db } from '../../src/db/client.ts';
import { users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { addComment } from '../../src/features/comments/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { BROWSER_USER_AGENT, createUser, loginAs } from '../helper.ts';

let dir: string;
let db: Db;
let app: FastifyInstance;
let counting = false;
const statements: string[] = [];
const threads = new Map<number, string>();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-test-'));
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'forum.db') });
  db = openDatabase(config.databasePath, { onStatement: (sql) => counting && statements.push(sql) });
  app = await buildApp(config, { db });
  await app.ready();
  const settings = { ...app.settings(), secondsBetweenPosts: 0, duplicateBodyMinutes: 0 };
  const poster = async (role: 'staff' | 'member') => {
    const user = await createUser(db, role);
    return db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, user.id)).get()!;
  };
  const asker = await poster('staff');
  const people = [await poster('staff'), await poster('staff'), await poster('staff')];
  for (const answerCount of [1, 50]) {
    const thread = askQuestion(db, asker, { title: `The router drops the wifi, a thread of ${answerCount}`, body: 'Every evening the router drops the wifi connection for a few minutes.', tags: ['router', 'wifi'] }, settings);
    addComment(db, people[0], { postType: 'question', postId: thread.id, body: 'Which firmware version is it running?' }, settings);
    for (let i = 0; i < answerCount; i++) {
      const { id } = postAnswer(db, people[i % 3], thread.id, { body: `Answer ${i}: restart the router and change the wifi channel to ${i % 11}.` }, settings);
      addComment(db, people[(i + 1) % 3], { postType: 'answer', postId: id, body: `Comment ${i}: that helped me too, thanks.` }, settings);
      addComment(db, asker, { postType: 'answer', postId: id, body: `Comment ${i}: I will try this evening.` }, settings);
    }
    threads.set(answerCount, thread.url);
  }
});

afterAll(async () => {
  await app.close();
  closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function statementsOf(view: () => Promise<{ statusCode: number }>): Promise<string[]> {
  statements.length = 0;
  counting = true;
  try {
    expect((await view()).statusCode).toBe(200);
  } finally {
    counting = false;
  }
  // Not per view: the content-version check runs at most every 100 ms, and the analytics batches every 250 ms.
  return statements.filter((sql) => !/from search_changes|insert into "deflection_events"|update "questions" set "view_count"/.test(sql));
}

describe('the thread page', () => {
  it('runs as many statements for 50 answers as for 1 (member without privileges, moderator)', async () => {
    for (const role of ['member', 'moderator'] as const) {
      let run0: string[] = [];
      const { browser } = await loginAs(app, db, role);
      const counts: number[] = [];
      for (const answers of [1, 50]) {
        await browser.get(threads.get(answers)!, { 'user-agent': BROWSER_USER_AGENT }); // warm: settings, templates
        const run = await statementsOf(() => browser.get(threads.get(answers)!, { 'user-agent': BROWSER_USER_AGENT }));
        counts.push(run.length);
        if (answers === 1) run0 = run;
      }
      expect(counts[1], `${role}: ${counts.join(' vs ')}`).toBe(counts[0]);
      // A fixed number: the thread, its answers, comments, tags, votes, moderation state and the viewer's flags, and the header's counts.
      expect(counts[0], `${role}: ${JSON.stringify(run0)}`).toBeLessThanOrEqual(20);
    }
  });

  it('signed out: the same bounded number to render, and none from the cache but its own', async () => {
    const counts: number[] = [];
    let last: string[][] = [];
    for (const answers of [1, 50]) last.push(await statementsOf(() => app.inject({ method: "GET", url: threads.get(answers)!, headers: { "user-agent": BROWSER_USER_AGENT } })));
    counts.push(...last.map((run) => run.length));
    expect(counts[1], JSON.stringify(last)).toBe(counts[0]);
    expect(counts[0]).toBeLessThanOrEqual(15);
    const kept = await statementsOf(() => app.inject({ method: 'GET', url: threads.get(50)!, headers: { 'user-agent': BROWSER_USER_AGENT } }));
    expect(kept.length).toBeLessThanOrEqual(2);
  });
});
