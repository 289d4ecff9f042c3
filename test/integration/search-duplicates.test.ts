// Duplicates teach search: a question closed as a duplicate has its title indexed on its original (an
// alternate title) and its hits lead to the original; the change reaches a running server's index through
// the change log by itself, and edits or deletion of the duplicate follow. Never asserts how long anything took.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAsDuplicate } from '../../src/features/questions/duplicates.ts';
import { askQuestion, deleteQuestion, editQuestion } from '../../src/features/questions/service.ts';
import { getSettings } from '../../src/features/settings/service.ts';
import { buildTestApp, createUser, type TestApp } from '../helper.ts';

/** The freshness target: a change is searchable within this long. */
const FRESH_MS = 2_000;

/** Asks `probe` every 50 ms until `done` or `limitMs` after the call; returns the last answer. */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, limitMs: number): Promise<T> {
  const until = Date.now() + limitMs;
  let value = await probe();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

describe('duplicates teach search', () => {
  let t: TestApp;
  let original: number;
  let duplicate: number;
  let moderator: Awaited<ReturnType<typeof createUser>>;
  const ids = async (q: string): Promise<number[]> => {
    const response = await t.app.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items.map((item: { id: number }) => item.id);
  };

  beforeAll(async () => {
    t = await buildTestApp();
    const author = await createUser(t.db);
    moderator = await createUser(t.db, 'moderator');
    const settings = getSettings(t.db);
    original = askQuestion(
      t.db,
      author,
      { title: 'Router drops the wireless connection every evening', body: 'Every evening the router loses the wireless connection and comes back later.', tags: ['router'] },
      settings,
    ).id;
    duplicate = askQuestion(
      t.db,
      await createUser(t.db),
      { title: 'Television streaming stutters after supper', body: 'Streaming on the television stutters and buffers after supper, the lights blink.', tags: ['tv'] },
      settings,
    ).id;
    await t.app.searchIndex.sync();
  });
  afterAll(() => t.close());

  it('finds the original by the words of its duplicate within 2 s of the closing, without anyone waiting on the index', async () => {
    expect(await ids('television streaming stutters')).toEqual([duplicate]);
    t.db.transaction((tx) => closeAsDuplicate(tx, { questionId: duplicate, originalId: original, byUserId: moderator.id }));
    // No sync(): the worker follows the change log by itself, and the target is 2 s.
    expect(await eventually(() => ids('television streaming stutters'), (found) => found[0] === original, FRESH_MS)).toEqual([original]);
  });

  it('follows edits of the duplicate onto its original', async () => {
    editQuestion(t.db, moderator, duplicate, { title: 'Television picture freezes after supper', comment: 'clearer title' }, getSettings(t.db));
    await t.app.searchIndex.sync();
    expect(await ids('television picture freezes')).toEqual([original]);
  });

  it('forgets the duplicate\'s words on its original when the duplicate is deleted', async () => {
    deleteQuestion(t.db, moderator, duplicate);
    await t.app.searchIndex.sync();
    expect(await ids('television picture freezes')).toEqual([]);
    expect(await ids('wireless connection evening')).toEqual([original]);
  });
});
