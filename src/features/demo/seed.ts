// Owns seeding the demo community (`npx resuelto seed-demo`): demo accounts with generated passwords and
// the support threads of support-topics.ts, written through the same services as the forum, so that
// revisions, reputation and the search change log are exactly as if people had posted them.
import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { questions, users } from '../../db/schema.ts';
import { registerUser } from '../accounts/service.ts';
import { acceptAnswer, postAnswer } from '../answers/service.ts';
import type { Poster } from '../questions/limits.ts';
import { askQuestion } from '../questions/service.ts';
import { getSettings } from '../settings/service.ts';
import { DEMO_USERS, SUPPORT_TOPICS, type DemoUser, type DemoUserKey, type SupportTopic } from './support-topics.ts';

export interface DemoAccount {
  username: string;
  role: DemoUser['role'];
  /** Only for accounts created by this run; shown once and never stored in clear. */
  password?: string;
}

export interface SeedResult {
  accounts: DemoAccount[];
  questions: number;
  answers: number;
  accepted: number;
  /** Threads already present (a re-run adds nothing twice). */
  skipped: number;
}

const HOUR = 3_600_000;
// Threads are spread over the last months, two days apart, oldest first: the forum looks lived in and
// every author's posts come in order, so posting limits see ordinary spacing.
const TOPIC_SPACING = 46 * HOUR;

export const demoEmail = (username: string) => `${username}@demo.ondara.example`;

/** A readable random password: 18 bytes of entropy, base64url (24 characters). */
function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

async function ensureUser(db: Db, demo: DemoUser, joinedAt: Date): Promise<{ poster: Poster; account: DemoAccount }> {
  const existing = db.select().from(users).where(eq(users.usernameKey, demo.username.toLowerCase())).get();
  if (existing) {
    if (existing.emailKey !== demoEmail(demo.username).toLowerCase()) {
      throw new Error(`The username ${demo.username} is taken by an account that is not a demo account; seed-demo will not post as it.`);
    }
    return { poster: existing, account: { username: existing.username, role: existing.role } };
  }
  const password = generatePassword();
  const created = await registerUser(db, { username: demo.username, email: demoEmail(demo.username), password }, demo.role);
  // Demo members joined before the threads they posted (the profile pages read better that way).
  db.update(users).set({ createdAt: joinedAt }).where(eq(users.id, created.id)).run();
  return { poster: { ...created, createdAt: joinedAt }, account: { username: created.username, role: created.role, password } };
}

function existingThread(db: Db, topic: SupportTopic, authorId: number): number | undefined {
  return db
    .select({ id: questions.id })
    .from(questions)
    .where(and(eq(questions.title, topic.title), eq(questions.authorId, authorId), isNull(questions.deletedAt)))
    .get()?.id;
}

/**
 * Seeds the demo community. Idempotent: accounts that exist are reused (their passwords untouched) and
 * threads whose title the demo author already has are skipped.
 */
export async function seedDemo(db: Db, options: { now?: Date } = {}): Promise<SeedResult> {
  const now = options.now ?? new Date();
  const settings = getSettings(db);
  const firstTopicAt = now.getTime() - (SUPPORT_TOPICS.length + 1) * TOPIC_SPACING;
  const joinedAt = new Date(firstTopicAt - 30 * 24 * HOUR);

  const posters = new Map<DemoUserKey, Poster>();
  const accounts: DemoAccount[] = [];
  for (const demo of DEMO_USERS) {
    const { poster, account } = await ensureUser(db, demo, joinedAt);
    posters.set(demo.key, poster);
    accounts.push(account);
  }

  // The last moment each author posted: a new post never goes before it (posting limits look at it).
  const lastPost = new Map<number, number>();
  const at = (author: Poster, planned: number): Date => {
    const time = Math.max(planned, (lastPost.get(author.id) ?? 0) + 60_000);
    lastPost.set(author.id, time);
    return new Date(time);
  };

  const result: SeedResult = { accounts, questions: 0, answers: 0, accepted: 0, skipped: 0 };
  SUPPORT_TOPICS.forEach((topic, index) => {
    const asker = posters.get(topic.author)!;
    if (existingThread(db, topic, asker.id) !== undefined) {
      result.skipped += 1;
      return;
    }
    const askedAt = firstTopicAt + index * TOPIC_SPACING;
    const question = askQuestion(db, asker, { title: topic.title, body: topic.body, tags: topic.tags }, settings, at(asker, askedAt));
    result.questions += 1;
    topic.answers.forEach((answer, position) => {
      const author = posters.get(answer.author)!;
      const answeredAt = askedAt + (position + 1) * 3 * HOUR + (index % 5) * 17 * 60_000;
      const { id } = postAnswer(db, author, question.id, { body: answer.body }, settings, at(author, answeredAt));
      result.answers += 1;
      if (answer.accepted) {
        acceptAnswer(db, asker, question.id, id, settings, new Date(answeredAt + 5 * HOUR));
        result.accepted += 1;
      }
    });
  });
  return result;
}

/** The question id of every demo thread present, by its key (benchmarks and tests look threads up this way). */
export function demoQuestionIds(db: Db): Map<string, number> {
  const ids = new Map<string, number>();
  for (const topic of SUPPORT_TOPICS) {
    const username = DEMO_USERS.find((u) => u.key === topic.author)!.username;
    const author = db.select({ id: users.id }).from(users).where(eq(users.usernameKey, username.toLowerCase())).get();
    const id = author ? existingThread(db, topic, author.id) : undefined;
    if (id !== undefined) ids.set(topic.key, id);
  }
  return ids;
}
