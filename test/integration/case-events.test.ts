// Cases tell the rest of the forum about their public side through the event bus (src/lib/events.ts): opening,
// solving and reopening a case emit `case.banner` with the question only, and the questions feature's listener
// writes the search change log in the same transaction (so kept signed-out copies of the thread are dropped).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase, postCaseMessage, updateCase } from '../../src/features/cases/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { on, type ForumEvent } from '../../src/lib/events.ts';
import { buildTestApp, createUser, type TestApp } from '../helper.ts';

let t: TestApp;
const seen: ForumEvent[] = [];
on('case.banner', (_tx, event) => void seen.push(event));

beforeAll(async () => {
  t = await buildTestApp();
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
});
afterAll(async () => {
  await t?.close();
});

const changesOf = (questionId: number) => (t.db.$client.prepare('select count(*) from search_changes where question_id = ?').pluck().get(questionId) as number);

describe('case.banner', () => {
  it('open, solve and reopen each emit one event naming only the question, and each writes the search change log', async () => {
    const asker = { ...(await createUser(t.db, 'member')), reputation: 1, createdAt: new Date(0) };
    const staff = await createUser(t.db, 'staff');
    const q = askQuestion(t.db, asker as never, { title: 'My blender leaks from the bottom', body: 'Water comes out of the base every time I blend anything at all.', tags: 'blenders' }, t.app.settings());
    const before = changesOf(q.id);
    const { id } = openCase(t.db, asker as never, { questionId: q.id, summary: 'The base leaks, order SECRET-55 in the details.', details: 'SECRET-55' });
    updateCase(t.db, staff as never, id, { status: 'solved' });
    postCaseMessage(t.db, asker as never, id, { body: 'It leaks again after a week, sorry.' });
    expect(seen.map((e) => (e.type === 'case.banner' ? [e.questionId, e.change] : null))).toEqual([
      [q.id, 'opened'],
      [q.id, 'solved'],
      [q.id, 'reopened'],
    ]);
    expect(JSON.stringify(seen)).not.toContain('SECRET');
    expect(changesOf(q.id)).toBe(before + 3);
  });

  it('a message or an assignment that leaves the banner as it is emits nothing', async () => {
    const asker = { ...(await createUser(t.db, 'member')), reputation: 1, createdAt: new Date(0) };
    const staff = await createUser(t.db, 'staff');
    const q = askQuestion(t.db, asker as never, { title: 'My toaster burns one side only', body: 'One side of the bread is black and the other is still white.', tags: 'toasters' }, t.app.settings());
    const { id } = openCase(t.db, asker as never, { questionId: q.id, summary: 'One side burns, the other stays white.' });
    seen.length = 0;
    updateCase(t.db, staff as never, id, { assigneeId: staff.id });
    postCaseMessage(t.db, staff as never, id, { body: 'Could you send us a photo of the slots?' });
    expect(seen).toEqual([]);
  });
});
