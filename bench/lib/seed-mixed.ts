// Bench helper: the thread of seed-thread.ts (and the Stack Exchange dump when BENCH_SEED_FILE names one), plus
// BENCH_MEMBERS members (`load1`…, password `load password <n> long enough`) with reputation enough for every
// privilege, and posting limits opened so that a load run of many writes is not refused (429) by design. Used by
// serve-forum.ts through BENCH_FORUM_SEED for the mixed load (bench/http.ts, bench/soak.ts).
import { registerUser } from '../../src/features/accounts/service.ts';
import { setSettings } from '../../src/features/settings/service.ts';
import type { Db } from '../../src/db/client.ts';
import seedThread from './seed-thread.ts';

export const memberPassword = (n: number) => `load password ${n} long enough`;

export default async function seed(db: Db): Promise<void> {
  await seedThread(db);
  const members = Number(process.env.BENCH_MEMBERS || 20);
  for (let n = 1; n <= members; n++) {
    const user = await registerUser(db, { username: `load${n}`, email: `load${n}@example.com`, password: memberPassword(n) });
    // Reputation to vote, comment and edit (the ledger is not what this bench is about).
    db.$client.prepare('update users set reputation = 100000 where id = ?').run(user.id);
  }
  setSettings(db, {
    secondsBetweenPosts: 0,
    newMemberSecondsBetweenPosts: 0,
    newMemberQuestionsPerDay: 1000,
    newMemberAnswersPerDay: 1000,
    duplicateBodyMinutes: 0,
    postsPerIpPerMinute: 10_000,
    signInPerIpPerMinute: 10_000,
  });
}
