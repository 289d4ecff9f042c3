// A moderator's action on a member's post reaches its author's inbox (notifications' moderation_action kind),
// written by the moderation log in the action's own transaction; the moderator's own posts tell nobody.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { deletePost } from '../../src/features/moderation/actions.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings } from '../../src/features/settings/service.ts';
import { buildTestApp, createUser, type TestApp } from '../helper.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  t.app.notifications.pause();
  t.app.mail.pause();
});
afterAll(async () => {
  await t.close();
});

const poster = (user: { id: number; role: 'member' | 'moderator' | 'staff' | 'admin' }) => ({ id: user.id, role: user.role, reputation: 1000, createdAt: new Date(0) });
const inbox = (userId: number) => t.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.kind, 'moderation_action'))).all();

describe('moderation actions and the author’s inbox', () => {
  it('a moderator deleting a member’s answer tells its author, once; deleting their own tells nobody', async () => {
    const settings = getSettings(t.db);
    const member = await createUser(t.db, 'member');
    const moderator = await createUser(t.db, 'moderator');
    const q = askQuestion(t.db, poster(moderator), { title: 'Where do I find the router settings page', body: 'I cannot find the settings page of my router anywhere.', tags: ['router'] }, settings);
    const answer = postAnswer(t.db, poster(member), q.id, { body: 'Type 192.168.1.1 in the address bar of your browser.' }, settings);
    const own = postAnswer(t.db, poster(moderator), q.id, { body: 'Or look at the sticker under the router itself.' }, settings);

    deletePost(t.db, moderator.id, 'answer', answer.id, 'Not an answer', settings);
    deletePost(t.db, moderator.id, 'answer', own.id, 'Mine, duplicated', settings);
    await t.app.notifications.flush();

    expect(inbox(member.id)).toHaveLength(1);
    expect(inbox(member.id)[0].questionId).toBe(q.id);
    expect(inbox(moderator.id)).toHaveLength(0);
  });
});
