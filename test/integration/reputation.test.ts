// Reputation arithmetic, rule by rule: votes, changes and retractions, the daily cap, accepts, and the ledger.
// Service functions get an explicit `now`, so days (and the daily cap) are chosen by the test, never by the clock.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reputationEvents, users, votes, type Role } from '../../src/db/schema.ts';
import { acceptAnswer, deleteAnswer, postAnswer } from '../../src/features/answers/service.ts';
import type { Poster } from '../../src/features/questions/limits.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { recomputeReputation, record } from '../../src/features/votes/reputation.ts';
import { castVote } from '../../src/features/votes/service.ts';
import { AppError } from '../../src/lib/errors.ts';
import { closeDatabase } from '../../src/db/client.ts';
import { buildTestApp, openTestDb, tokenFor, type TestApp } from '../helper.ts';

let t: TestApp;
let seq = 0;

beforeAll(async () => {
  t = await buildTestApp();
  // Posting limits are tested elsewhere; here posts are only the things votes land on.
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberQuestionsPerDay', 1000);
  setSetting(t.db, 'newMemberAnswersPerDay', 1000);
});
afterAll(async () => {
  await t?.close();
});

const settings = () => getSettings(t.db);

// Every test runs on its own UTC day, far from the real clock, so daily caps never leak between tests.
let dayCounter = 0;
function newDay(): (hours?: number, minutes?: number) => Date {
  const start = Date.UTC(2031, 0, 1) + ++dayCounter * 10 * 86_400_000;
  return (hours = 12, minutes = 0) => new Date(start + hours * 3_600_000 + minutes * 60_000);
}

/** A user straight in the table (no password: these users never sign in, and argon2 is slow). */
function makeUser(role: Role = 'member'): number {
  const username = `r${++seq}_${process.pid}`;
  return t.db
    .insert(users)
    .values({ username, usernameKey: username, email: `${username}@example.com`, emailKey: `${username}@example.com`, displayName: username, role })
    .returning({ id: users.id })
    .get().id;
}

/** Gives a user reputation the way the forum does: a ledger row. */
function grant(userId: number, delta: number, now = new Date(Date.UTC(2030, 0, 1))): void {
  t.db.transaction((tx) => record(tx, [{ userId, delta, reason: 'test_grant' }], now));
}

/** A member with enough reputation for every vote (up 15, down 125). */
function makeVoter(): number {
  const id = makeUser();
  grant(id, 499);
  return id;
}

function poster(userId: number): Poster {
  return t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, userId)).get()!;
}

const rep = (userId: number) => poster(userId).reputation;
const ledgerSum = (userId: number) =>
  Number(t.db.select({ s: sql<number>`coalesce(sum(${reputationEvents.delta}), 0)` }).from(reputationEvents).where(eq(reputationEvents.userId, userId)).get()!.s);
const ledgerRows = (userId: number) =>
  t.db
    .select({ delta: reputationEvents.delta, reason: reputationEvents.reason })
    .from(reputationEvents)
    .where(and(eq(reputationEvents.userId, userId), sql`${reputationEvents.reason} <> 'test_grant'`))
    .orderBy(reputationEvents.id)
    .all();
const eventCount = () => t.db.select({ n: sql<number>`count(*)` }).from(reputationEvents).get()!.n;

function ask(authorId: number, now: Date): number {
  const n = ++seq;
  return askQuestion(t.db, poster(authorId), { title: `Question number ${n} about the router`, body: `Body of question ${n}, long enough to be valid.`, tags: ['router'] }, settings(), now).id;
}

function answer(authorId: number, questionId: number, now: Date): number {
  const n = ++seq;
  return postAnswer(t.db, poster(authorId), questionId, { body: `Answer ${n}: restart it and wait thirty seconds.` }, settings(), now).id;
}

function vote(voterId: number, postType: 'question' | 'answer', postId: number, value: 1 | -1 | 0, now: Date) {
  return castVote(t.db, poster(voterId), { postType, postId, value }, settings(), now);
}

function accept(actorId: number, questionId: number, answerId: number | null, now: Date) {
  return acceptAnswer(t.db, poster(actorId), questionId, answerId, settings(), now);
}

function expectAppError(run: () => unknown, status: number, code?: string) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).statusCode).toBe(status);
    if (code) expect((error as AppError).code).toBe(code);
    return;
  }
  throw new Error(`expected a ${status}`);
}

describe('starting point and floor', () => {
  it('a new user has reputation 1 and an empty ledger, also through the API', async () => {
    const { user } = await tokenFor(t.app, t.db);
    expect(rep(user.id)).toBe(1);
    expect(ledgerSum(user.id)).toBe(0);
    const profile = await t.app.inject({ method: 'GET', url: `/api/v1/users/${user.username}` });
    expect(profile.statusCode).toBe(200);
    expect(profile.json().reputation).toBe(1);
  });

  it('never falls below 1, however many down-votes; the ledger keeps the true sum', () => {
    const at = newDay();
    const author = makeUser();
    const q = ask(author, at(1));
    const a = answer(author, ask(makeUser(), at(1)), at(1));
    const [v1, v2] = [makeVoter(), makeVoter()];
    vote(v1, 'question', q, -1, at(2));
    vote(v2, 'question', q, -1, at(2));
    vote(v1, 'answer', a, -1, at(2));
    expect(ledgerSum(author)).toBe(-6);
    expect(rep(author)).toBe(1);
    // The floor is applied to the total, not to each step: +10 on a ledger at -6 gives 1 + 4, not 1 + 10.
    vote(v2, 'answer', a, 1, at(3));
    expect(ledgerSum(author)).toBe(4);
    expect(rep(author)).toBe(5);
  });

  it('a moderator at 1 who down-votes an answer pays 1 in the ledger and stays at 1', () => {
    const at = newDay();
    const moderator = makeUser('moderator');
    const a = answer(makeUser(), ask(makeUser(), at(1)), at(1));
    vote(moderator, 'answer', a, -1, at(2));
    expect(ledgerRows(moderator)).toEqual([{ delta: -1, reason: 'downvote_given' }]);
    expect(rep(moderator)).toBe(1);
  });
});

describe('votes', () => {
  it('an up-vote gives +10 to the author of a question, and nothing to the voter', () => {
    const at = newDay();
    const author = makeUser();
    const voter = makeVoter();
    const q = ask(author, at(1));
    const voterBefore = rep(voter);
    expect(vote(voter, 'question', q, 1, at(2))).toEqual({ score: 1, myVote: 1 });
    expect(rep(author)).toBe(11);
    expect(ledgerRows(author)).toEqual([{ delta: 10, reason: 'upvote' }]);
    expect(rep(voter)).toBe(voterBefore);
  });

  it('an up-vote gives +10 to the author of an answer', () => {
    const at = newDay();
    const author = makeUser();
    const a = answer(author, ask(makeUser(), at(1)), at(1));
    vote(makeVoter(), 'answer', a, 1, at(2));
    expect(rep(author)).toBe(11);
  });

  it('a down-vote on a question costs its author 2 and the voter nothing', () => {
    const at = newDay();
    const author = makeUser();
    grant(author, 99);
    const voter = makeVoter();
    const q = ask(author, at(1));
    const voterBefore = rep(voter);
    expect(vote(voter, 'question', q, -1, at(2))).toEqual({ score: -1, myVote: -1 });
    expect(rep(author)).toBe(100 - 2);
    expect(rep(voter)).toBe(voterBefore);
    expect(ledgerRows(voter)).toEqual([]);
  });

  it('a down-vote on an answer costs its author 2 and the voter 1', () => {
    const at = newDay();
    const author = makeUser();
    grant(author, 99);
    const voter = makeVoter();
    const a = answer(author, ask(makeUser(), at(1)), at(1));
    const voterBefore = rep(voter);
    vote(voter, 'answer', a, -1, at(2));
    expect(rep(author)).toBe(98);
    expect(rep(voter)).toBe(voterBefore - 1);
    expect(ledgerRows(voter)).toEqual([{ delta: -1, reason: 'downvote_given' }]);
  });

  it('up → down → none on an answer: each step reverses exactly what the previous one gave', () => {
    const at = newDay();
    const author = makeUser();
    grant(author, 99);
    const voter = makeVoter();
    const a = answer(author, ask(makeUser(), at(1)), at(1));
    const voterBefore = rep(voter);

    expect(vote(voter, 'answer', a, 1, at(2))).toEqual({ score: 1, myVote: 1 });
    expect([rep(author), rep(voter)]).toEqual([110, voterBefore]);

    expect(vote(voter, 'answer', a, -1, at(3))).toEqual({ score: -1, myVote: -1 });
    expect([rep(author), rep(voter)]).toEqual([98, voterBefore - 1]);

    expect(vote(voter, 'answer', a, 0, at(4))).toEqual({ score: 0, myVote: 0 });
    expect([rep(author), rep(voter)]).toEqual([100, voterBefore]);

    expect(ledgerRows(author)).toEqual([
      { delta: 10, reason: 'upvote' },
      { delta: -10, reason: 'upvote_undone' },
      { delta: -2, reason: 'downvote' },
      { delta: 2, reason: 'downvote_undone' },
    ]);
    expect(ledgerRows(voter)).toEqual([
      { delta: -1, reason: 'downvote_given' },
      { delta: 1, reason: 'downvote_given_undone' },
    ]);
    expect(t.db.select().from(votes).where(and(eq(votes.postType, 'answer'), eq(votes.postId, a))).all()).toEqual([]);
  });

  it('down → up → none on a question, and the same vote twice changes nothing', () => {
    const at = newDay();
    const author = makeUser();
    grant(author, 99);
    const voter = makeVoter();
    const q = ask(author, at(1));
    vote(voter, 'question', q, -1, at(2));
    expect(rep(author)).toBe(98);
    const events = eventCount();
    expect(vote(voter, 'question', q, -1, at(2))).toEqual({ score: -1, myVote: -1 });
    expect(eventCount()).toBe(events);
    vote(voter, 'question', q, 1, at(3));
    expect(rep(author)).toBe(110);
    expect(t.db.select().from(votes).where(and(eq(votes.userId, voter), eq(votes.postId, q), eq(votes.postType, 'question'))).all()).toHaveLength(1);
    vote(voter, 'question', q, 0, at(4));
    expect(rep(author)).toBe(100);
    expect(vote(voter, 'question', q, 0, at(4))).toEqual({ score: 0, myVote: 0 });
    expect(rep(author)).toBe(100);
  });

  it('a retraction takes back what the vote gave, even after the setting changed since', () => {
    const at = newDay();
    const author = makeUser();
    const voter = makeVoter();
    const q = ask(author, at(1));
    vote(voter, 'question', q, 1, at(2));
    expect(rep(author)).toBe(11);
    setSetting(t.db, 'reputationForUpvote', 5);
    try {
      vote(voter, 'question', q, 0, at(3));
      expect(rep(author)).toBe(1);
      expect(ledgerRows(author)).toEqual([
        { delta: 10, reason: 'upvote' },
        { delta: -10, reason: 'upvote_undone' },
      ]);
    } finally {
      setSetting(t.db, 'reputationForUpvote', 10);
    }
  });

  it('nobody votes on their own post: 403 own_post and nothing written', () => {
    const at = newDay();
    const author = makeVoter();
    const q = ask(author, at(1));
    const a = answer(author, ask(makeUser(), at(1)), at(1));
    const events = eventCount();
    expectAppError(() => vote(author, 'question', q, 1, at(2)), 403, 'own_post');
    expectAppError(() => vote(author, 'answer', a, -1, at(2)), 403, 'own_post');
    expect(eventCount()).toBe(events);
    expect(t.db.select().from(votes).where(eq(votes.userId, author)).all()).toEqual([]);
  });

  it('up-voting needs 15 reputation and down-voting 125 (members); moderators need none', () => {
    const at = newDay();
    const a = answer(makeUser(), ask(makeUser(), at(1)), at(1));
    const voter = makeUser();
    grant(voter, 13); // 14
    expectAppError(() => vote(voter, 'answer', a, 1, at(2)), 403, 'forbidden');
    grant(voter, 1); // 15
    expect(vote(voter, 'answer', a, 1, at(2)).myVote).toBe(1);
    grant(voter, 109); // 124
    expect(rep(voter)).toBe(124);
    expectAppError(() => vote(voter, 'answer', a, -1, at(3)), 403, 'forbidden');
    expect(vote(voter, 'answer', a, 1, at(3)).myVote).toBe(1); // the refused change left the up-vote in place
    grant(voter, 1);
    expect(vote(voter, 'answer', a, -1, at(3)).myVote).toBe(-1);
    const moderator = makeUser('moderator');
    expect(vote(moderator, 'answer', a, 1, at(4)).myVote).toBe(1);
    // Retracting needs no privilege: a member who fell under 15 can still take back a vote.
    const q = ask(makeUser(), at(5));
    vote(voter, 'question', q, 1, at(5));
    grant(voter, -200);
    expect(rep(voter)).toBeLessThan(15);
    expect(vote(voter, 'question', q, 0, at(6))).toEqual({ score: 0, myVote: 0 });
  });

  it('a vote on a deleted or unknown post is a 404', () => {
    const at = newDay();
    const a = answer(makeUser(), ask(makeUser(), at(1)), at(1));
    deleteAnswer(t.db, poster(makeUser('moderator')), a, settings(), at(2));
    expectAppError(() => vote(makeVoter(), 'answer', a, 1, at(3)), 404);
    expectAppError(() => vote(makeVoter(), 'question', 987_654, 1, at(3)), 404);
  });

  it('through the API: POST /votes answers {score, myVote} and the profile shows the new reputation', async () => {
    const { user: author, auth: authorAuth } = await tokenFor(t.app, t.db);
    const { user: voter, auth: voterAuth } = await tokenFor(t.app, t.db);
    grant(voter.id, 200);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: authorAuth,
      payload: { title: 'Why does the modem blink orange?', body: 'Every night at ten the light turns orange.', tags: ['modem'] },
    });
    expect(created.statusCode).toBe(201);
    const postId = created.json().id;
    const up = await t.app.inject({ method: 'POST', url: '/api/v1/votes', headers: voterAuth, payload: { postType: 'question', postId, value: 1 } });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({ score: 1, myVote: 1 });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/users/${author.username}` })).json().reputation).toBe(11);
    const down = await t.app.inject({ method: 'POST', url: '/api/v1/votes', headers: voterAuth, payload: { postType: 'question', postId, value: -1 } });
    expect(down.json()).toEqual({ score: -1, myVote: -1 });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/users/${author.username}` })).json().reputation).toBe(1);
    const none = await t.app.inject({ method: 'POST', url: '/api/v1/votes', headers: voterAuth, payload: { postType: 'question', postId, value: 0 } });
    expect(none.json()).toEqual({ score: 0, myVote: 0 });
    const own = await t.app.inject({ method: 'POST', url: '/api/v1/votes', headers: authorAuth, payload: { postType: 'question', postId, value: 1 } });
    expect(own.statusCode).toBe(403);
    expect(own.json().error.code).toBe('own_post');
  });
});

describe('the daily cap of 200 from votes', () => {
  /** An author with `n` questions and enough voters to up-vote each question `perPost` times. */
  function setup(n: number, perPost: number, at: (h?: number) => Date) {
    const author = makeUser();
    const posts = Array.from({ length: n }, () => ask(author, at(0)));
    const voters = Array.from({ length: perPost }, () => makeVoter());
    return { author, posts, voters };
  }

  it('the 21st up-vote of a day gives nothing; the score still counts it', () => {
    const at = newDay();
    const { author, posts, voters } = setup(7, 3, at);
    let n = 0;
    for (const voter of voters) {
      for (const post of posts) {
        n += 1;
        vote(voter, 'question', post, 1, at(1, n));
        expect(rep(author), `after up-vote ${n}`).toBe(1 + Math.min(10 * n, 200));
      }
    }
    expect(n).toBe(21);
    expect(ledgerRows(author).filter((row) => row.reason === 'upvote')).toHaveLength(20);
    const scores = t.db.$client.prepare(`select sum(score) as s from questions where author_id = ?`).get(author) as { s: number };
    expect(scores.s).toBe(21);
  });

  it('retracting a vote that gave nothing takes back nothing; retracting a full one frees room for another', () => {
    const at = newDay();
    const { author, posts, voters } = setup(7, 3, at);
    for (const voter of voters) for (const post of posts) vote(voter, 'question', post, 1, at(1));
    expect(rep(author)).toBe(201);
    // The last vote cast (voters[2] on posts[6]) was the capped one.
    vote(voters[2], 'question', posts[6], 0, at(2));
    expect(rep(author)).toBe(201);
    vote(voters[0], 'question', posts[0], 0, at(3));
    expect(rep(author)).toBe(191);
    vote(voters[2], 'question', posts[6], 1, at(4));
    expect(rep(author)).toBe(201);
    vote(voters[0], 'question', posts[0], 1, at(5));
    expect(rep(author)).toBe(201);
  });

  it('the cap is per UTC day: one second after midnight the author gains again', () => {
    const at = newDay();
    const { author, posts, voters } = setup(11, 2, at);
    const [first, second] = voters;
    for (const post of posts.slice(0, 10)) vote(first, 'question', post, 1, at(23, 59));
    for (const post of posts.slice(0, 10)) vote(second, 'question', post, 1, at(23, 59));
    expect(rep(author)).toBe(201);
    vote(first, 'question', posts[10], 1, new Date(at(23, 59).getTime() + 59_999));
    expect(rep(author)).toBe(201);
    vote(second, 'question', posts[10], 1, at(24, 0));
    expect(rep(author)).toBe(211);
  });

  it('a partial up-vote gives only the room left, and its retraction takes back exactly that', () => {
    const at = newDay();
    setSetting(t.db, 'reputationDailyVoteCap', 25);
    try {
      const { author, posts, voters } = setup(4, 1, at);
      const [voter] = voters;
      vote(voter, 'question', posts[0], 1, at(1));
      vote(voter, 'question', posts[1], 1, at(1));
      vote(voter, 'question', posts[2], 1, at(1));
      vote(voter, 'question', posts[3], 1, at(1));
      expect(ledgerRows(author).map((row) => row.delta)).toEqual([10, 10, 5]);
      expect(rep(author)).toBe(26);
      vote(voter, 'question', posts[2], 0, at(2));
      expect(ledgerRows(author).at(-1)).toEqual({ delta: -5, reason: 'upvote_undone' });
      expect(rep(author)).toBe(21);
      // The room freed is 5 again: a new up-vote (here a change back) gives 5, not 10.
      vote(voter, 'question', posts[2], 1, at(3));
      expect(rep(author)).toBe(26);
    } finally {
      setSetting(t.db, 'reputationDailyVoteCap', 200);
    }
  });

  it('down-votes are not capped, and accepted answers are not votes: +15 on top of a capped day', () => {
    const at = newDay();
    const author = makeUser();
    const asker = makeUser();
    const q = ask(asker, at(0));
    const answers = Array.from({ length: 21 }, () => answer(author, q, at(0)));
    const voters = Array.from({ length: 2 }, () => makeVoter());
    for (const a of answers.slice(0, 10)) for (const voter of voters) vote(voter, 'answer', a, 1, at(1));
    expect(rep(author)).toBe(201);
    vote(voters[0], 'answer', answers[20], -1, at(2));
    expect(rep(author)).toBe(199);
    accept(asker, q, answers[0], at(3));
    expect(rep(author)).toBe(214);
    expect(rep(asker)).toBe(3);
  });
});

describe('accepted answers', () => {
  it('gives +15 to the answerer and +2 to the asker who accepted', () => {
    const at = newDay();
    const [asker, answerer] = [makeUser(), makeUser()];
    const q = ask(asker, at(1));
    const a = answer(answerer, q, at(1));
    expect(accept(asker, q, a, at(2))).toEqual({ acceptedAnswerId: a });
    expect(rep(answerer)).toBe(16);
    expect(rep(asker)).toBe(3);
    expect(ledgerRows(answerer)).toEqual([{ delta: 15, reason: 'accepted' }]);
    expect(ledgerRows(asker)).toEqual([{ delta: 2, reason: 'accept_given' }]);
    // Accepting the same answer again changes nothing.
    const events = eventCount();
    accept(asker, q, a, at(3));
    expect(eventCount()).toBe(events);
  });

  it('moving the mark moves the +15, and the asker keeps exactly +2; un-accepting takes everything back', () => {
    const at = newDay();
    const [asker, first, second] = [makeUser(), makeUser(), makeUser()];
    const q = ask(asker, at(1));
    const a1 = answer(first, q, at(1));
    const a2 = answer(second, q, at(1));
    accept(asker, q, a1, at(2));
    accept(asker, q, a2, at(3));
    expect([rep(asker), rep(first), rep(second)]).toEqual([3, 1, 16]);
    expect(ledgerSum(first)).toBe(0);
    accept(asker, q, a1, at(4));
    expect([rep(asker), rep(first), rep(second)]).toEqual([3, 16, 1]);
    expect(accept(asker, q, null, at(5))).toEqual({ acceptedAnswerId: null });
    expect([ledgerSum(asker), ledgerSum(first), ledgerSum(second)]).toEqual([0, 0, 0]);
    // Accept, un-accept, accept the same answer again: +15 once, not twice.
    accept(asker, q, a2, at(6));
    accept(asker, q, null, at(7));
    accept(asker, q, a2, at(8));
    expect([rep(asker), rep(second)]).toEqual([3, 16]);
    accept(asker, q, null, at(9));
    expect([ledgerSum(asker), ledgerSum(second)]).toEqual([0, 0]);
  });

  it('accepting your own answer gives nothing, and moving away from it or back to it stays exact', () => {
    const at = newDay();
    const [asker, other] = [makeUser(), makeUser()];
    const q = ask(asker, at(1));
    const own = answer(asker, q, at(1));
    const theirs = answer(other, q, at(1));
    accept(asker, q, own, at(2));
    expect(ledgerRows(asker)).toEqual([]);
    expect(rep(asker)).toBe(1);
    accept(asker, q, theirs, at(3));
    expect([rep(asker), rep(other)]).toEqual([3, 16]);
    accept(asker, q, own, at(4));
    expect([ledgerSum(asker), ledgerSum(other)]).toEqual([0, 0]);
  });

  it('a moderator accepting on the asker’s behalf gets the +2; when the asker moves the mark, it moves to the asker', () => {
    const at = newDay();
    const [asker, first, second] = [makeUser(), makeUser(), makeUser()];
    const moderator = makeUser('moderator');
    const q = ask(asker, at(1));
    const a1 = answer(first, q, at(1));
    const a2 = answer(second, q, at(1));
    accept(moderator, q, a1, at(2));
    expect([rep(moderator), rep(first), rep(asker)]).toEqual([3, 16, 1]);
    expect(ledgerRows(moderator)).toEqual([{ delta: 2, reason: 'accept_given' }]);
    accept(asker, q, a2, at(3));
    expect([rep(moderator), rep(first), rep(asker), rep(second)]).toEqual([1, 1, 3, 16]);
    expect(ledgerSum(moderator)).toBe(0);
  });

  it('staff and admins accept on the asker’s behalf too; a moderator accepting their own answer gets only the +15', () => {
    const at = newDay();
    const asker = makeUser();
    const [staff, admin, moderator] = [makeUser('staff'), makeUser('admin'), makeUser('moderator')];
    const q = ask(asker, at(1));
    const byModerator = answer(moderator, q, at(1));
    const byMember = answer(makeUser(), q, at(1));
    accept(staff, q, byMember, at(2));
    expect(rep(staff)).toBe(3);
    accept(admin, q, byModerator, at(3));
    expect([rep(staff), rep(admin), rep(moderator)]).toEqual([1, 3, 16]);
    accept(moderator, q, null, at(4));
    accept(moderator, q, byModerator, at(5));
    expect(ledgerRows(moderator).at(-1)).toEqual({ delta: 15, reason: 'accepted' });
    expect([rep(moderator), rep(admin)]).toEqual([16, 1]);
  });

  it('nobody else may accept: 403 for another member, whatever their reputation, and nothing written', () => {
    const at = newDay();
    const asker = makeUser();
    const q = ask(asker, at(1));
    const a = answer(makeUser(), q, at(1));
    const stranger = makeUser();
    grant(stranger, 100_000);
    const events = eventCount();
    expectAppError(() => accept(stranger, q, a, at(2)), 403);
    expect(eventCount()).toBe(events);
  });

  it('an answer of another question cannot be accepted (400), and an unknown question is a 404', () => {
    const at = newDay();
    const asker = makeUser();
    const q = ask(asker, at(1));
    const elsewhere = answer(makeUser(), ask(makeUser(), at(1)), at(1));
    expectAppError(() => accept(asker, q, elsewhere, at(2)), 400);
    expectAppError(() => accept(asker, 987_654, null, at(2)), 404);
  });

  it('deleting the accepted answer un-accepts it and takes back the +15 and the +2', () => {
    const at = newDay();
    const [asker, answerer] = [makeUser(), makeUser()];
    const q = ask(asker, at(1));
    const a = answer(answerer, q, at(1));
    accept(asker, q, a, at(2));
    deleteAnswer(t.db, poster(answerer), a, settings(), at(3));
    expect([ledgerSum(asker), ledgerSum(answerer)]).toEqual([0, 0]);
    const row = t.db.$client.prepare('select accepted_answer_id as id from questions where id = ?').get(q) as { id: number | null };
    expect(row.id).toBeNull();
  });

  it('through the API, for the asker and for a moderator; 403 for anyone else', async () => {
    const { user: asker, auth: askerAuth } = await tokenFor(t.app, t.db);
    const { user: answerer, auth: answererAuth } = await tokenFor(t.app, t.db);
    const { user: moderator, auth: moderatorAuth } = await tokenFor(t.app, t.db, 'moderator');
    const q = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/questions',
        headers: askerAuth,
        payload: { title: 'The TV box loses its channels', body: 'After every power cut the channel list is empty.', tags: ['tv'] },
      })
    ).json().id;
    const a = (await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q}/answers`, headers: answererAuth, payload: { body: 'Run the channel scan from the setup menu again.' } })).json().id;
    const refused = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q}/accept`, headers: answererAuth, payload: { answerId: a } });
    expect(refused.statusCode).toBe(403);
    const byModerator = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q}/accept`, headers: moderatorAuth, payload: { answerId: a } });
    expect(byModerator.statusCode).toBe(200);
    expect(byModerator.json()).toEqual({ acceptedAnswerId: a });
    expect([rep(moderator.id), rep(answerer.id), rep(asker.id)]).toEqual([3, 16, 1]);
    const none = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q}/accept`, headers: askerAuth, payload: { answerId: null } });
    expect(none.json()).toEqual({ acceptedAnswerId: null });
    expect([rep(moderator.id), rep(answerer.id), rep(asker.id)]).toEqual([1, 1, 1]);
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q}/accept`, headers: askerAuth, payload: { answerId: a } });
    expect(again.json()).toEqual({ acceptedAnswerId: a });
    expect([rep(answerer.id), rep(asker.id)]).toEqual([16, 3]);
    const thread = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${q}` })).json();
    expect(thread.acceptedAnswerId).toBe(a);
    expect(thread.answers[0]).toMatchObject({ id: a, accepted: true });
  });
});

describe('the ledger and its cache', () => {
  it('after everything above, every cached reputation is max(1, 1 + sum of the ledger), and a recompute finds nothing to fix', () => {
    const rows = t.db.$client
      .prepare('select u.id, u.reputation, coalesce(sum(e.delta), 0) as sum from users u left join reputation_events e on e.user_id = u.id group by u.id')
      .all() as { id: number; reputation: number; sum: number }[];
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) expect(row.reputation, `user ${row.id}`).toBe(Math.max(1, 1 + row.sum));
    expect(recomputeReputation(t.db)).toEqual([]);
  });

  it('recomputeReputation repairs a wrong cache and reports it', () => {
    const user = makeUser();
    grant(user, 41);
    t.db.update(users).set({ reputation: 7 }).where(eq(users.id, user)).run();
    const differences = recomputeReputation(t.db);
    expect(differences).toEqual([expect.objectContaining({ userId: user, cached: 7, ledger: 42 })]);
    expect(rep(user)).toBe(42);
    expect(recomputeReputation(t.db)).toEqual([]);
  });
});

describe('npx resuelto recompute-reputation', () => {
  const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const run = promisify(execFile);

  it('rebuilds wrong caches from the ledger, says which, and says so when all is well', async () => {
    const { db, dir } = openTestDb();
    try {
      const insert = (username: string, reputation: number) =>
        db.insert(users).values({ username, usernameKey: username, displayName: username, reputation }).returning({ id: users.id }).get().id;
      const wrong = insert('wrong_cache', 7);
      insert('right_cache', 1);
      const floored = insert('floored_cache', 5);
      db.transaction((tx) => record(tx, [{ userId: wrong, delta: 41, reason: 'test_grant' }, { userId: floored, delta: -10, reason: 'test_grant' }], new Date()));
      // record() refreshed the caches; break two of them behind its back.
      db.update(users).set({ reputation: 7 }).where(eq(users.id, wrong)).run();
      db.update(users).set({ reputation: 5 }).where(eq(users.id, floored)).run();
      closeDatabase(db);

      const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'forum.db') };
      delete env.BASE_URL; // vitest's own BASE_URL is not the forum's
      const cli = () => run(process.execPath, [path.join(REPO_ROOT, 'bin/resuelto.js'), 'recompute-reputation'], { cwd: REPO_ROOT, env, timeout: 60_000 });

      const first = await cli();
      expect(first.stdout).toContain('wrong_cache: cached 7, ledger 42 (fixed)');
      expect(first.stdout).toContain('floored_cache: cached 5, ledger 1 (fixed)');
      expect(first.stdout).not.toContain('right_cache');
      expect(first.stdout).toContain('2 reputation caches were rebuilt from the ledger.');

      const second = await cli();
      expect(second.stdout.trim()).toBe('Every reputation matches the ledger.');

      const reopened = new Database(path.join(dir, 'forum.db'), { readonly: true });
      try {
        const reputations = reopened.prepare('select username, reputation from users order by id').all();
        expect(reputations).toEqual([
          { username: 'wrong_cache', reputation: 42 },
          { username: 'right_cache', reputation: 1 },
          { username: 'floored_cache', reputation: 1 },
        ]);
      } finally {
        reopened.close();
      }
    } finally {
      if (db.$client.open) closeDatabase(db);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
