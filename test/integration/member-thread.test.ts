// The member thread page's fast path (features/questions/member-thread.ts): a kept skeleton rendered for nobody,
// with each member's regions filled in, must be byte for byte the page rendered in full for that member. Checked
// over members of every role and reputation level, the thread's asker and answerers and others, with votes up and
// down, flags, follows and a support case of their own; open, closed, locked, duplicate and hidden-post threads;
// both languages; plain and gzip. The members are served in turn from the same skeleton, so a region kept for one
// member and wrongly reused for another (a dependency left out of its values) shows as a difference.
import { gunzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { openCase } from '../../src/features/cases/service.ts';
import { addComment } from '../../src/features/comments/service.ts';
import { closeQuestion, setLocked } from '../../src/features/moderation/close.ts';
import { raiseFlag, setHidden } from '../../src/features/moderation/flags.ts';
import { followQuestion } from '../../src/features/notifications/follows.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { castVote } from '../../src/features/votes/service.ts';
import type { Role } from '../../src/features/accounts/roles.ts';
import { createSession } from '../../src/features/accounts/sessions.ts';
import { sessionCookieName } from '../../src/plugins/auth.ts';
import { Browser, BROWSER_USER_AGENT, buildTestApp, createUser, type TestApp } from '../helper.ts';

let t: TestApp;
type Member = { id: number; username: string; role: Role; reputation: number; browser: Browser };
const members: Member[] = [];
const threads: { name: string; url: string }[] = [];

async function member(role: Role, reputation: number): Promise<Member> {
  const user = await createUser(t.db, role);
  t.db.update(users).set({ reputation }).where(eq(users.id, user.id)).run();
  // A session as the sign-in form makes one (the form itself is throttled per address, and this test signs in many).
  const browser = new Browser(t.app);
  browser.cookies.set(sessionCookieName(false), createSession(t.db, user.id, 'cookie', t.app.settings()).token);
  const m = { id: user.id, username: user.username, role, reputation, browser };
  members.push(m);
  return m;
}

const poster = (m: Member) => t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, m.id)).get()!;

beforeAll(async () => {
  t = await buildTestApp();
  // Everything happened days ago, so that "3 days ago" reads the same in the full and the fast rendering.
  const then = new Date(Date.now() - 3 * 86_400_000);
  const settings = { ...t.app.settings(), secondsBetweenPosts: 0, duplicateBodyMinutes: 0, newMemberHours: 0, newMemberSecondsBetweenPosts: 0, newMemberQuestionsPerDay: 1000, newMemberAnswersPerDay: 1000 };
  // Every reputation step of the privilege ladder (1, flag 15, comment/vote-down, close votes 500, edit…), every role.
  const asker = await member('member', 40);
  const answerer = await member('member', 3000);
  const reputations = [1, 14, 15, 50, 124, 125, 499, 500, 1999, 2000, 20000];
  for (const reputation of reputations) await member('member', reputation);
  const moderator = await member('moderator', 1);
  await member('staff', 1);
  await member('admin', 1);

  const thread = (title: string) => askQuestion(t.db, poster(asker), { title, body: `The router drops the wifi every evening: ${title}.`, tags: ['router', 'wifi'] }, settings, then);
  const populate = (id: number) => {
    const answers: number[] = [];
    const comments: number[] = [];
    comments.push(addComment(t.db, poster(answerer), { postType: 'question', postId: id, body: `Which firmware version is it running? (${id})` }, settings, then).id);
    for (let i = 0; i < 4; i++) {
      const author = i % 2 === 0 ? answerer : members[2 + i];
      const answer = postAnswer(t.db, poster(author), id, { body: `Answer ${i}: restart the router and move the wifi to channel ${i + 1} (${id}).` }, settings, then).id;
      answers.push(answer);
      comments.push(addComment(t.db, poster(asker), { postType: 'answer', postId: answer, body: `Comment ${i}: I will try this evening (${id}).` }, settings, then).id);
    }
    return { answers, comments };
  };

  const open = thread('An open thread with votes, flags and a case');
  const openPosts = populate(open.id);
  // Votes up and down by several members; flags on an answer and a comment; a follow; the asker's support case.
  for (const [i, m] of members.slice(4, 12).entries()) {
    castVote(t.db, { ...poster(m), reputation: 100_000 }, { postType: 'answer', postId: openPosts.answers[i % 4], value: i % 3 === 0 ? -1 : 1 }, settings, then);
    if (i % 2 === 0) castVote(t.db, { ...poster(m), reputation: 100_000 }, { postType: 'question', postId: open.id, value: 1 }, settings, then);
  }
  // Votes move reputations (a down vote costs the voter one): back to each member's level.
  const resetReputations = () => {
    for (const m of members) t.db.update(users).set({ reputation: m.reputation }).where(eq(users.id, m.id)).run();
  };
  resetReputations();
  for (const m of members.slice(4).filter((m) => m.reputation >= 15 && m.role === 'member').slice(0, 3)) {
    raiseFlag(t.db, m.id, { postType: 'answer', postId: openPosts.answers[1], reason: 'needs_improvement' }, settings, then);
    raiseFlag(t.db, m.id, { postType: 'comment', postId: openPosts.comments[2], reason: 'other', note: 'Off topic here.' }, settings, then);
  }
  // One open close vote (members[9], 500: the close-vote privilege): the voter and the other voters see the count.
  expect(closeQuestion(t.db, members[9].id, open.id, { reason: 'needs_details' }, settings, then)).toBeTruthy();
  followQuestion(t.db, members[5].id, open.id, then);
  followQuestion(t.db, asker.id, open.id, then);
  openCase(t.db, poster(asker), { questionId: open.id, summary: 'The router still drops the wifi every evening.' }, then);
  threads.push({ name: 'open', url: open.url });

  const closed = thread('A closed thread');
  populate(closed.id);
  closeQuestion(t.db, moderator.id, closed.id, { reason: 'needs_details' }, settings, then);
  threads.push({ name: 'closed', url: closed.url });

  const locked = thread('A locked thread');
  populate(locked.id);
  setLocked(t.db, moderator.id, locked.id, true, 'Calm down, everyone.', then);
  threads.push({ name: 'locked', url: locked.url });

  const duplicate = thread('A duplicate thread');
  populate(duplicate.id);
  closeQuestion(t.db, moderator.id, duplicate.id, { reason: 'duplicate', duplicateOfId: open.id }, settings, then);
  threads.push({ name: 'duplicate', url: duplicate.url });

  // A hidden answer (its author, members[3], and moderators see it; nobody else) and a hidden comment.
  const hidden = thread('A thread with hidden posts');
  const hiddenPosts = populate(hidden.id);
  t.db.transaction((tx) => {
    setHidden(tx, 'answer', hiddenPosts.answers[1], 'spam');
    setHidden(tx, 'comment', hiddenPosts.comments[1], 'rude');
  });
  threads.push({ name: 'hidden posts', url: hidden.url });

  const empty = thread('A thread without answers');
  threads.push({ name: 'no answers', url: empty.url });
  resetReputations();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

/** The page with its CSRF token (one per response, in every form and the meta tag) replaced by a fixed text. */
function withoutToken(html: string): string {
  const token = /<meta name="csrf-token" content="([^"]+)">/.exec(html)?.[1];
  expect(token, 'a CSRF token on the page').toBeTruthy();
  return html.split(token!).join('TOKEN');
}

async function view(m: Member, url: string, language: 'en' | 'es', gzip: boolean) {
  const response = await t.app.inject({
    method: 'GET',
    url,
    headers: { cookie: m.browser.header(), 'user-agent': BROWSER_USER_AGENT, 'accept-language': language, ...(gzip ? { 'accept-encoding': 'gzip' } : {}) },
  });
  expect(response.statusCode).toBe(200);
  m.browser.remember(response);
  const body = response.headers['content-encoding'] === 'gzip' ? gunzipSync(response.rawPayload).toString() : response.body;
  return { response, body };
}

describe('a member thread page from the kept skeleton', () => {
  it('is byte for byte the page rendered in full, for every member, thread state and language, plain and gzip', async () => {
    const state = t.app.memberThreads;
    let compared = 0;
    for (const thread of threads) {
      for (const language of ['en', 'es'] as const) {
        for (const m of members) {
          state.enabled = false;
          const full = await view(m, thread.url, language, false);
          state.enabled = true;
          const fast = await view(m, thread.url, language, m.id % 2 === 0);
          expect(full.body).toContain('action="/signout"');
          const label = `${thread.name}, ${language}, ${m.role} with ${m.reputation} (user ${m.id})`;
          expect(withoutToken(fast.body), label).toBe(withoutToken(full.body));
          expect(fast.response.headers['content-type'], label).toBe(full.response.headers['content-type']);
          expect(fast.response.headers['content-language'], label).toBe(full.response.headers['content-language']);
          expect(fast.response.headers['content-security-policy'], label).toBe(full.response.headers['content-security-policy']);
          compared++;
        }
      }
    }
    expect(compared).toBe(threads.length * 2 * members.length);
    // The fast path really served them (members of role "member" who see the thread as nobody does).
    expect(state.stats.served).toBeGreaterThan(threads.length * 2 * 10);
    // One skeleton per thread and language (the page cache keeps it), not one per member.
    expect(state.stats.skeletons).toBeLessThanOrEqual(threads.length * 2 + 2);
  });

  it('never shows one member what belongs to another: their case link, flags, votes and follow stay theirs', async () => {
    const open = threads.find((thread) => thread.name === 'open')!.url;
    const [asker, , , , , follower] = members;
    const askerPage = (await view(asker, open, 'en', true)).body;
    const followerPage = (await view(follower, open, 'en', true)).body;
    const otherPage = (await view(members[10], open, 'en', false)).body;
    expect(askerPage).toMatch(/href="\/support\/cases\/\d+"/);
    expect(followerPage).not.toMatch(/href="\/support\/cases\/\d+"/);
    expect(otherPage).not.toMatch(/href="\/support\/cases\/\d+"/);
    expect(followerPage).toContain('name="follow" value="0"');
    expect(otherPage).toContain('name="follow" value="1"');
    expect(otherPage).not.toContain('class="my-flag"');
    // The header names the member asking, and no one else.
    const accountNav = (html: string) => /<nav class="account-nav"[\s\S]*?<\/nav>/.exec(html)![0];
    expect(accountNav(otherPage)).not.toContain(`/users/${encodeURIComponent(follower.username)}"`);
    expect(accountNav(otherPage)).toContain(`/users/${encodeURIComponent(members[10].username)}"`);
    expect(accountNav(followerPage)).toContain(`/users/${encodeURIComponent(follower.username)}"`);
  });

  it('is not used for a member who sees more than nobody does (a hidden post of their own), nor for moderators', async () => {
    const hidden = threads.find((thread) => thread.name === 'hidden posts')!.url;
    const state = t.app.memberThreads;
    const before = state.stats.served;
    const author = members[3];
    const page = (await view(author, hidden, 'en', false)).body;
    expect(page).toContain('Answer 1:');
    expect(state.stats.served).toBe(before);
    const moderator = members.find((m) => m.role === 'moderator')!;
    await view(moderator, hidden, 'en', false);
    expect(state.stats.served).toBe(before);
    const other = (await view(members[10], hidden, 'en', false)).body;
    expect(other).not.toContain('Answer 1:');
    expect(state.stats.served).toBe(before + 1);
  });

  it('follows writes: a vote, an answer and a follow show at once on the next view', async () => {
    const open = threads.find((thread) => thread.name === 'open')!.url;
    const m = members[12];
    const before = (await view(m, open, 'en', false)).body;
    const token = /<meta name="csrf-token" content="([^"]+)">/.exec(before)![1];
    const questionId = Number(/\/questions\/(\d+)/.exec(open)![1]);
    const follow = await m.browser.submit(`/questions/${questionId}/follow`, { follow: '1' }, { csrf: token, headers: { 'user-agent': BROWSER_USER_AGENT } });
    expect(follow.statusCode).toBe(303);
    const after = (await view(m, open, 'en', false)).body;
    expect(after).toContain('name="follow" value="0"');
    const answered = await m.browser.submit(`/questions/${questionId}/answers`, { body: 'A fresh answer: update the firmware to the latest release.' }, { csrf: token, headers: { 'user-agent': BROWSER_USER_AGENT } });
    expect(answered.statusCode).toBe(303);
    const withAnswer = (await view(members[11], open, 'es', true)).body;
    expect(withAnswer).toContain('A fresh answer: update the firmware');
  });
});
