// Bench helper: a thread of 10 answers and 20 comments (question 1), then the Stack Exchange dump when
// BENCH_SEED_FILE names one. Used by serve-forum.ts through BENCH_FORUM_SEED.
import { registerUser, setRole } from '../../src/features/accounts/service.ts';
import { acceptAnswer, postAnswer } from '../../src/features/answers/service.ts';
import { addComment } from '../../src/features/comments/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings } from '../../src/features/settings/service.ts';
import type { Db } from '../../src/db/client.ts';
import seedStackExchange from './seed-stackexchange.ts';

export const THREAD_TITLE = 'The router drops the wifi connection every evening at eight';

export default async function seed(db: Db): Promise<void> {
  const settings = getSettings(db);
  const people = [];
  for (let i = 1; i <= 6; i++) {
    const user = await registerUser(db, { username: `bench${i}`, email: `bench${i}@example.com`, password: `bench password ${i} long enough` });
    setRole(db, user.username, i === 1 ? 'member' : 'staff'); // staff: no posting limits while seeding
    people.push({ ...user, role: i === 1 ? ('member' as const) : ('staff' as const) });
  }
  const t0 = Date.now() - 30 * 86_400_000;
  const at = (minutes: number) => new Date(t0 + minutes * 60_000);
  const asker = people[0];
  const body = [
    'Every evening at about eight the **wifi** drops for a few minutes and then comes back.',
    '',
    '- I restarted the router',
    '- I changed the channel from auto to 6',
    '',
    'The cable connection stays up. Model `RT-AC68U`, firmware 3.0.0.4. Any idea what this could be?',
  ].join('\n');
  const { id } = askQuestion(db, asker, { title: THREAD_TITLE, body, tags: ['router', 'wifi', 'connection'] }, settings, at(0));
  const answers: number[] = [];
  for (let i = 0; i < 10; i++) {
    const author = people[1 + (i % 5)];
    const text = `Answer ${i + 1}: check the scheduled maintenance window in **Settings → System**; on some firmware it restarts the radio at 20:00. Also try channel ${1 + i} and disable band steering.`;
    answers.push(postAnswer(db, author, id, { body: text }, settings, at(10 + i)).id);
  }
  for (let i = 0; i < 20; i++) {
    const author = people[(i % 5) + 1];
    const onAnswer = i % 4 !== 0;
    addComment(
      db,
      author,
      { postType: onAnswer ? 'answer' : 'question', postId: onAnswer ? answers[i % 10] : id, body: `Comment ${i + 1}: this happened to me as well after the last update.` },
      settings,
      at(100 + i),
    );
  }
  acceptAnswer(db, asker, id, answers[3], settings, at(200));
  if (process.env.BENCH_SEED_FILE) await seedStackExchange(db);
}
