// Mixed-load benchmark on its own: the 200-client mix of bench/http.ts's last section (50 % page reads by returning
// browsers, 5 % API reads, 45 % writes — answers, comments, votes — by 20 members through bearer tokens) without the
// rows before it, so that it can be run, profiled and compared quickly. Prints figures only; never fails.
//
//   npm run bench:mixed                                   60 s, 200 clients, the seeded forum
//   BENCH_MIXED=30 BENCH_SEED_FILE=../shared/data/beer.stackexchange.com/Posts.xml npm run bench:mixed
//   BENCH_CPU_PROF=1 npm run bench:mixed                  also V8 CPU profiles of the forum (one per thread)
//
// Environment: BENCH_MIXED (s, default 60), BENCH_CLIENTS (default 200), BENCH_SEED_FILE, BENCH_CPU_PROF,
// BENCH_PROF_DIR (default: a folder under the OS temp dir).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memberPassword } from './lib/seed-mixed.ts';
import { questionPaths, runMixed, signIn, summarize } from './lib/mixed-load.ts';
import { machineBusyShare, machineSummary, startServer } from './lib/servers.ts';

const seconds = Number(process.env.BENCH_MIXED || 60);
const clients = Number(process.env.BENCH_CLIENTS || 200);
const cpuProfile = /^(1|true|yes)$/i.test(process.env.BENCH_CPU_PROF ?? '');
const profileDir = path.resolve(process.env.BENCH_PROF_DIR || path.join(os.tmpdir(), 'resuelto-bench-profiles'));
const seedFile = process.env.BENCH_SEED_FILE ? path.resolve(process.env.BENCH_SEED_FILE) : undefined;
const SEED_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'seed-mixed.ts');

console.log(`Mixed-load benchmark — ${new Date().toISOString()}`);
console.log(`Machine: ${machineSummary()}`);
console.log(`${clients} clients for ${seconds} s; forum: 20 members${seedFile ? `, then ${seedFile}` : ''}`);
const forum = await startServer('forum', {
  nodeArgs: cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  env: { BENCH_FORUM_SEED: SEED_MODULE, TRUST_PROXY: 'true', ...(seedFile ? { BENCH_SEED_FILE: seedFile } : {}) },
  startTimeoutMs: seedFile ? 600_000 : 60_000,
});
try {
  const busy = await machineBusyShare(1000);
  if (busy !== undefined) console.log(`CPU busy before the run: ${(busy * 100).toFixed(0)}% of all cores`);
  const members = await signIn(forum.origin, Array.from({ length: 20 }, (_, i) => ({ login: `load${i + 1}`, password: memberPassword(i + 1) })));
  const paths = await questionPaths(forum.origin);
  const cpuBefore = forum.cpuTimeMs();
  const mixed = await runMixed({ origin: forum.origin, clients, durationSec: seconds, tokens: members, questionIds: [...paths.keys()], threadPath: (id) => paths.get(id)!, tag: 'router' });
  const cpuAfter = forum.cpuTimeMs();
  for (const line of summarize(mixed)) console.log(line);
  if (cpuBefore !== undefined && cpuAfter !== undefined) console.log(`server CPU: ${(((cpuAfter - cpuBefore) * 1000) / mixed.requests).toFixed(0)} µs per request (all threads)`);
  console.log(`load average at the end (1 min): ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores; peak RSS of the forum: ${((forum.peakRssKiB() ?? 0) / 1024).toFixed(1)} MiB`);
} finally {
  await forum.stop();
}
if (cpuProfile) console.log(`CPU profiles of the forum (the largest is the main thread) in ${profileDir}/`);
