// Property: whatever members do with votes and accepted answers, in whatever order and across days, the
// ledger, the cached reputations and the scores agree with each other and with a model of the rules.
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, type Db } from '../../src/db/client.ts';
import { users, type Role } from '../../src/db/schema.ts';
import { acceptAnswer, postAnswer } from '../../src/features/answers/service.ts';
import type { Poster } from '../../src/features/questions/limits.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import type { Settings } from '../../src/features/settings/definitions.ts';
import { defaultSettings } from '../../src/features/settings/service.ts';
import { recomputeReputation, startOfUtcDay } from '../../src/features/votes/reputation.ts';
import { castVote } from '../../src/features/votes/service.ts';
import { AppError } from '../../src/lib/errors.ts';
import { deletePost, markSpammer, undeletePost } from '../../src/features/moderation/actions.ts';
import { openTestDb } from '../helper.ts';

const ROLES: Role[] = ['member', 'member', 'member', 'member', 'member', 'moderator'];
const USERS = ROLES.length;
const BASE = Date.UTC(2032, 0, 1);

interface Post {
  postType: 'question' | 'answer';
  id: number;
  authorId: number;
  /** For answers: the index of their question in `questions`. */
  question?: number;
}

let db: Db;
let dir: string;
const userIds: number[] = [];
const questions: { id: number; askerId: number; answers: Post[] }[] = [];
const posts: Post[] = [];

const limitsOff: Partial<Settings> = {
  secondsBetweenPosts: 0,
  newMemberSecondsBetweenPosts: 0,
  newMemberQuestionsPerDay: 1000,
  newMemberAnswersPerDay: 1000,
  duplicateBodyMinutes: 0,
};

function poster(id: number): Poster {
  return db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, id)).get()!;
}

beforeAll(() => {
  ({ db, dir } = openTestDb());
  for (const [i, role] of ROLES.entries()) {
    const username = `p${i}_${process.pid}`;
    userIds.push(db.insert(users).values({ username, usernameKey: username, displayName: username, role }).returning({ id: users.id }).get().id);
  }
  const settings = { ...defaultSettings(), ...limitsOff };
  const at = new Date(BASE - 86_400_000);
  // Three questions; each gets answers from other members and one from its own asker (self-accept).
  for (const asker of [0, 1, 5]) {
    const author = poster(userIds[asker]);
    const { id } = askQuestion(db, author, { title: `Question of user ${asker} about the router`, body: `The router of user ${asker} keeps restarting at night.`, tags: ['router'] }, settings, at);
    const question = { id, askerId: author.id, answers: [] as Post[] };
    questions.push(question);
    posts.push({ postType: 'question', id, authorId: author.id });
    for (const answerer of [asker, (asker + 1) % USERS, (asker + 2) % USERS, 5]) {
      const by = poster(userIds[answerer]);
      const answer = postAnswer(db, by, id, { body: `Answer by ${answerer} to question ${id}: unplug it for ten seconds.` }, settings, at);
      const post: Post = { postType: 'answer', id: answer.id, authorId: by.id, question: questions.length - 1 };
      question.answers.push(post);
      posts.push(post);
    }
  }
});

afterAll(() => {
  if (db) closeDatabase(db);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function reset(): void {
  db.$client.exec(`
    delete from votes;
    delete from reputation_events;
    update questions set score = 0, accepted_answer_id = null;
    update answers set score = 0;
    update users set reputation = 1;
  `);
}

type Op =
  | { kind: 'vote'; user: number; post: number; value: -1 | 0 | 1; minutes: number }
  | { kind: 'accept'; user: number; question: number; answer: number | null; minutes: number };

const minutes = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 40 * 60 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('vote' as const), user: fc.nat(USERS - 1), post: fc.nat(14), value: fc.constantFrom(-1 as const, 0 as const, 1 as const), minutes }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('accept' as const), user: fc.nat(USERS - 1), question: fc.nat(2), answer: fc.option(fc.nat(3), { freq: 4 }), minutes }) },
);
const rules = fc.record({
  reputationDailyVoteCap: fc.constantFrom(0, 15, 25, 200),
  reputationForUpvote: fc.constantFrom(10, 7),
  privilegeVoteUp: fc.constantFrom(1, 15),
  privilegeVoteDown: fc.constantFrom(1, 20),
});

/** The rules of rules.ts and the issue, written once more the plain way. */
class Model {
  readonly sums = new Map<number, number>();
  readonly votes = new Map<string, { value: 1 | -1; authorGot: number; voterGot: number }>();
  readonly scores = new Map<string, number>();
  readonly accepted = new Map<number, { answerId: number; grants: [number, number][] } | null>();
  /** Up-vote gains (net of their undoing) per user and UTC day, for the cap. */
  readonly dayGain = new Map<string, number>();

  constructor(private readonly settings: Settings) {}

  private add(userId: number, delta: number) {
    this.sums.set(userId, (this.sums.get(userId) ?? 0) + delta);
  }
  reputation(userId: number) {
    return Math.max(1, 1 + (this.sums.get(userId) ?? 0));
  }
  private may(userId: number, threshold: number) {
    return ROLES[userIds.indexOf(userId)] !== 'member' || this.reputation(userId) >= threshold;
  }
  private gainKey(userId: number, now: Date) {
    return `${userId}|${startOfUtcDay(now).getTime()}`;
  }

  vote(voterId: number, post: Post, value: -1 | 0 | 1, now: Date): { score: number; myVote: number } | number {
    if (post.authorId === voterId) return 403;
    if (value === 1 && !this.may(voterId, this.settings.privilegeVoteUp)) return 403;
    if (value === -1 && !this.may(voterId, this.settings.privilegeVoteDown)) return 403;
    const key = `${voterId}|${post.postType}|${post.id}`;
    const postKey = `${post.postType}|${post.id}`;
    const previous = this.votes.get(key);
    const score = this.scores.get(postKey) ?? 0;
    if ((previous?.value ?? 0) === value) return { score, myVote: value };
    const gainKey = this.gainKey(post.authorId, now);
    if (previous) {
      this.add(post.authorId, -previous.authorGot);
      this.add(voterId, -previous.voterGot);
      if (previous.value === 1) this.dayGain.set(gainKey, (this.dayGain.get(gainKey) ?? 0) - previous.authorGot);
      this.votes.delete(key);
    }
    if (value !== 0) {
      let authorGot: number;
      if (value === 1) {
        authorGot = Math.min(this.settings.reputationForUpvote, Math.max(0, this.settings.reputationDailyVoteCap - (this.dayGain.get(gainKey) ?? 0)));
        this.dayGain.set(gainKey, (this.dayGain.get(gainKey) ?? 0) + authorGot);
      } else {
        authorGot = -this.settings.reputationLostPerDownvoteReceived;
      }
      const voterGot = value === -1 && post.postType === 'answer' ? -this.settings.reputationCostOfDownvotingAnswer : 0;
      this.add(post.authorId, authorGot);
      this.add(voterId, voterGot);
      this.votes.set(key, { value, authorGot, voterGot });
    }
    const next = score + value - (previous?.value ?? 0);
    this.scores.set(postKey, next);
    return { score: next, myVote: value };
  }

  accept(actorId: number, question: (typeof questions)[number], answer: Post | null): { acceptedAnswerId: number | null } | number {
    if (actorId !== question.askerId && ROLES[userIds.indexOf(actorId)] === 'member') return 403;
    const current = this.accepted.get(question.id) ?? null;
    const answerId = answer?.id ?? null;
    if ((current?.answerId ?? null) === answerId) return { acceptedAnswerId: answerId };
    if (current) for (const [userId, delta] of current.grants) this.add(userId, -delta);
    if (answer) {
      const grants: [number, number][] = [];
      if (answer.authorId !== question.askerId) {
        grants.push([answer.authorId, this.settings.reputationForAcceptedAnswer]);
        if (actorId !== answer.authorId) grants.push([actorId, this.settings.reputationForAccepting]);
      }
      for (const [userId, delta] of grants) this.add(userId, delta);
      this.accepted.set(question.id, { answerId: answer.id, grants });
    } else {
      this.accepted.set(question.id, null);
    }
    return { acceptedAnswerId: answerId };
  }
}

/** Runs a service call; an AppError becomes its status code, anything else fails the property. */
function outcome<T>(run: () => T): T | number {
  try {
    return run();
  } catch (error) {
    if (error instanceof AppError) return error.statusCode;
    throw error;
  }
}

const all = <T>(query: string, ...params: unknown[]) => db.$client.prepare(query).all(...params) as T[];

function checkInvariants(model: Model, settings: Settings): void {
  // The cache is the ledger: max(1, 1 + sum), for every user, and a recompute has nothing to repair.
  const rows = all<{ id: number; reputation: number; sum: number }>(
    'select u.id, u.reputation, coalesce(sum(e.delta), 0) as sum from users u left join reputation_events e on e.user_id = u.id group by u.id',
  );
  for (const row of rows) {
    expect(row.reputation, `cached reputation of user ${row.id}`).toBe(Math.max(1, 1 + row.sum));
    expect(row.sum, `ledger of user ${row.id}`).toBe(model.sums.get(row.id) ?? 0);
  }
  expect(recomputeReputation(db)).toEqual([]);

  // Every score is the sum of its votes' values, and the votes are the model's.
  for (const post of posts) {
    const table = post.postType === 'question' ? 'questions' : 'answers';
    const { score } = db.$client.prepare(`select score from ${table} where id = ?`).get(post.id) as { score: number };
    const { sum } = db.$client.prepare('select coalesce(sum(value), 0) as sum from votes where post_type = ? and post_id = ?').get(post.postType, post.id) as { sum: number };
    expect(score, `score of ${post.postType} ${post.id}`).toBe(sum);
    expect(score).toBe(model.scores.get(`${post.postType}|${post.id}`) ?? 0);
  }
  const stored = all<{ user_id: number; post_type: string; post_id: number; value: number }>('select user_id, post_type, post_id, value from votes');
  expect(new Map(stored.map((v) => [`${v.user_id}|${v.post_type}|${v.post_id}`, v.value]))).toEqual(new Map([...model.votes].map(([key, v]) => [key, v.value])));
  expect(all<{ n: number }>('select count(*) as n from votes group by user_id, post_type, post_id having n > 1')).toEqual([]);

  for (const question of questions) {
    const { accepted } = db.$client.prepare('select accepted_answer_id as accepted from questions where id = ?').get(question.id) as { accepted: number | null };
    expect(accepted).toBe(model.accepted.get(question.id)?.answerId ?? null);
  }

  // No user gained more than the cap from up-votes on any UTC day.
  const days = all<{ user_id: number; day: number; gain: number }>(
    `select user_id, created_at / 86400000 as day, sum(delta) as gain from reputation_events
     where reason in ('upvote', 'upvote_undone') group by user_id, day`,
  );
  for (const day of days) expect(day.gain).toBeLessThanOrEqual(settings.reputationDailyVoteCap);
}

describe('reputation under random sequences of votes and accepts', () => {
  it('ledger, caches, scores and the model agree after every sequence; undoing everything gives everyone back 1', () => {
    fc.assert(
      fc.property(rules, fc.array(op, { minLength: 1, maxLength: 40 }), (chosen, ops) => {
        expect(posts).toHaveLength(15);
        reset();
        const settings: Settings = { ...defaultSettings(), ...limitsOff, ...chosen };
        const model = new Model(settings);
        let now = BASE;
        for (const step of ops) {
          now += step.minutes * 60_000;
          const at = new Date(now);
          const actor = poster(userIds[step.user]);
          if (step.kind === 'vote') {
            const post = posts[step.post];
            const got = outcome(() => castVote(db, actor, { postType: post.postType, postId: post.id, value: step.value }, settings, at));
            expect(got, JSON.stringify(step)).toEqual(model.vote(actor.id, post, step.value, at));
          } else {
            const question = questions[step.question];
            const answer = step.answer === null ? null : question.answers[step.answer];
            const got = outcome(() => acceptAnswer(db, actor, question.id, answer?.id ?? null, settings, at));
            expect(got, JSON.stringify(step)).toEqual(model.accept(actor.id, question, answer));
          }
        }
        checkInvariants(model, settings);

        // Every change reverses exactly what it gave: retract every vote and every accept, later on.
        const later = new Date(now + 3 * 86_400_000);
        const moderator = poster(userIds[5]);
        for (const v of all<{ user_id: number; post_type: 'question' | 'answer'; post_id: number }>('select user_id, post_type, post_id from votes')) {
          castVote(db, poster(v.user_id), { postType: v.post_type, postId: v.post_id, value: 0 }, settings, later);
        }
        for (const question of questions) acceptAnswer(db, moderator, question.id, null, settings, later);
        expect(all<{ n: number }>('select count(*) as n from votes')[0].n).toBe(0);
        expect(all<{ s: number }>('select coalesce(sum(abs(score)), 0) as s from (select score from questions union all select score from answers)')[0].s).toBe(0);
        for (const row of all<{ id: number; reputation: number; sum: number }>(
          'select u.id, u.reputation, coalesce(sum(e.delta), 0) as sum from users u left join reputation_events e on e.user_id = u.id group by u.id',
        )) {
          expect(row.sum, `ledger of user ${row.id} after undoing everything`).toBe(0);
          expect(row.reputation).toBe(1);
        }
        expect(recomputeReputation(db)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

// Moderation (issue 12): deletions by moderators reverse a post's reputation in the ledger and undeletions give it
// back, whatever happened before and after; "spammer" deletes all of a member's posts at once. The ledger and the
// caches agree after any sequence (recompute-reputation reports zero differences), a deleted post's rows (and
// those of the answers of a deleted question) sum to zero, and undoing everything gives everyone back 1.
type ModOp =
  | Op
  | { kind: 'delete'; post: number; minutes: number }
  | { kind: 'undelete'; post: number; minutes: number }
  | { kind: 'spammer'; user: number; minutes: number };

const modOp: fc.Arbitrary<ModOp> = fc.oneof(
  { weight: 4, arbitrary: op },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), post: fc.nat(14), minutes }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('undelete' as const), post: fc.nat(14), minutes }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('spammer' as const), user: fc.integer({ min: 1, max: 4 }), minutes }) },
);

function resetModeration(): void {
  reset();
  db.$client.exec(`
    update questions set deleted_at = null, hidden_reason = null;
    update answers set deleted_at = null, hidden_reason = null;
    delete from comments;
    update questions set answer_count = (select count(*) from answers a where a.question_id = questions.id);
    update users set suspended_until = null, suspension_reason = null;
    delete from moderation_log;
    delete from flags;
  `);
}

describe('reputation under random sequences of votes, accepts and moderation', () => {
  it('moderator deletions, undeletions and "spammer" keep the ledger and caches in step and reversible', () => {
    const moderatorId = userIds[5];
    fc.assert(
      fc.property(rules, fc.array(modOp, { minLength: 1, maxLength: 40 }), (chosen, ops) => {
        resetModeration();
        const settings: Settings = { ...defaultSettings(), ...limitsOff, ...chosen };
        let now = BASE;
        for (const step of ops) {
          now += step.minutes * 60_000;
          const at = new Date(now);
          if (step.kind === 'vote') {
            const post = posts[step.post];
            outcome(() => castVote(db, poster(userIds[step.user]), { postType: post.postType, postId: post.id, value: step.value }, settings, at));
          } else if (step.kind === 'accept') {
            const question = questions[step.question];
            const answer = step.answer === null ? null : question.answers[step.answer];
            outcome(() => acceptAnswer(db, poster(userIds[step.user]), question.id, answer?.id ?? null, settings, at));
          } else if (step.kind === 'delete') {
            const post = posts[step.post];
            outcome(() => deletePost(db, moderatorId, post.postType, post.id, 'property test', settings, at));
          } else if (step.kind === 'undelete') {
            const post = posts[step.post];
            outcome(() => undeletePost(db, moderatorId, post.postType, post.id, at));
          } else {
            outcome(() => markSpammer(db, moderatorId, userIds[step.user], 'property test', settings, at));
            db.$client.prepare('update users set suspended_until = null where id = ?').run(userIds[step.user]);
          }
          expect(recomputeReputation(db)).toEqual([]);
        }
        for (const row of all<{ id: number; reputation: number; sum: number }>(
          'select u.id, u.reputation, coalesce(sum(e.delta), 0) as sum from users u left join reputation_events e on e.user_id = u.id group by u.id',
        )) {
          expect(row.reputation).toBe(Math.max(1, 1 + row.sum));
        }
        // A deleted post gives nobody anything, nor do the answers of a deleted question.
        const gone = all<{ post_type: string; post_id: number }>(
          `select 'question' as post_type, id as post_id from questions where deleted_at is not null
           union all select 'answer', a.id from answers a join questions q on q.id = a.question_id where a.deleted_at is not null or q.deleted_at is not null`,
        );
        for (const g of gone) {
          const { s } = db.$client.prepare('select coalesce(sum(delta), 0) as s from reputation_events where post_type = ? and post_id = ?').get(g.post_type, g.post_id) as { s: number };
          expect(s, `ledger of deleted ${g.post_type} ${g.post_id}`).toBe(0);
        }

        // Undo everything: undelete (questions first), then retract every vote and accept.
        const later = new Date(now + 3 * 86_400_000);
        for (const q of all<{ id: number }>('select id from questions where deleted_at is not null')) undeletePost(db, moderatorId, 'question', q.id, later);
        for (const a of all<{ id: number }>('select id from answers where deleted_at is not null')) undeletePost(db, moderatorId, 'answer', a.id, later);
        for (const v of all<{ user_id: number; post_type: 'question' | 'answer'; post_id: number }>('select user_id, post_type, post_id from votes')) {
          castVote(db, poster(v.user_id), { postType: v.post_type, postId: v.post_id, value: 0 }, settings, later);
        }
        for (const question of questions) acceptAnswer(db, poster(moderatorId), question.id, null, settings, later);
        for (const row of all<{ id: number; reputation: number; sum: number }>(
          'select u.id, u.reputation, coalesce(sum(e.delta), 0) as sum from users u left join reputation_events e on e.user_id = u.id group by u.id',
        )) {
          expect(row.sum, `ledger of user ${row.id} after undoing everything`).toBe(0);
          expect(row.reputation).toBe(1);
        }
        expect(recomputeReputation(db)).toEqual([]);
      }),
      { numRuns: 60 },
    );
    resetModeration();
  });
});
