// Soak: the mixed load (bench/lib/mixed-load.ts: 200 clients, 50 % page reads, 5 % API reads, 45 % writes by
// 20 members) for 10 minutes against the forum filled from the beer.stackexchange.com dump, printing the forum
// process's RSS and V8 heap every 30 s, then after 30 s idle. Memory must stay flat: a row that keeps growing
// is a leak or an unbounded cache. Prints figures only; it never fails on them.
//
//   npm run bench:soak                          10 minutes
//   SOAK_MINUTES=2 npm run bench:soak           a short run while developing
//   SOAK_HEAP_SNAPSHOT=/tmp/snaps npm run bench:soak
//                                               also writes a heap snapshot of the forum after the idle pause
//                                               (open it in Chrome DevTools, Memory tab)
//
// Environment: SOAK_MINUTES (default 10), SOAK_CLIENTS (200), SOAK_TICK (s, 30), BENCH_SEED_FILE (default: the
// shared beer dump when present).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memberPassword } from './lib/seed-mixed.ts';
import { questionPaths, runMixed, signIn, summarize, type MixedResult } from './lib/mixed-load.ts';
import { machineBusyShare, machineSummary, startServer } from './lib/servers.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const minutes = Number(process.env.SOAK_MINUTES || 10);
const clients = Number(process.env.SOAK_CLIENTS || 200);
const tickSec = Number(process.env.SOAK_TICK || 30);
const BEER = path.resolve(HERE, '../../shared/data/beer.stackexchange.com/Posts.xml');
const seedFile = process.env.BENCH_SEED_FILE ? path.resolve(process.env.BENCH_SEED_FILE) : fs.existsSync(BEER) ? BEER : undefined;
const snapshotDir = process.env.SOAK_HEAP_SNAPSHOT ? path.resolve(process.env.SOAK_HEAP_SNAPSHOT) : undefined;
const MEMBERS = 20;

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  pageCache: { hits: number; renders: number; refused: number };
  searchHeapUsed: number;
  searchHeapTotal: number;
  searchDelta: number;
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0).padStart(5);

async function main(): Promise<void> {
  console.log(`Soak — ${new Date().toISOString()}`);
  console.log(`Machine: ${machineSummary()} (shared with other work: see the CPU line)`);
  console.log(`Load: ${clients} clients, ${minutes} min, mixed (50 % pages, 5 % API reads, 45 % writes by ${MEMBERS} members)`);
  console.log(`Forum database: fresh; a thread of 10 answers${seedFile ? ` and ${seedFile}` : ''}; production mode, logs silent\n`);
  const server = await startServer('forum', {
    env: { BENCH_FORUM_SEED: path.join(HERE, 'lib', 'seed-mixed.ts'), BENCH_MEMBERS: String(MEMBERS), TRUST_PROXY: 'true', ...(seedFile ? { BENCH_SEED_FILE: seedFile } : {}) },
    startTimeoutMs: 600_000,
  });
  try {
    const busy = await machineBusyShare(1000);
    if (busy !== undefined) console.log(`CPU busy before the run: ${(busy * 100).toFixed(0)}% of all cores\n`);
    const tokens = await signIn(server.origin, Array.from({ length: MEMBERS }, (_, i) => ({ login: `load${i + 1}`, password: memberPassword(i + 1) })));
    const paths = await questionPaths(server.origin);
    const ids = [...paths.keys()];
    console.log(`${ids.length} questions; ${MEMBERS} members signed in\n`);

    const memory = () => server.ask<Memory>('memory');
    const start = await memory();
    console.log(' elapsed   req/s  requests   RSS MiB  heap used  heap total  external  arrayBuffers  search heap used/total  search delta  page cache hits/renders');
    const row = (label: string, m: Memory, rate: string, requests: string) =>
      console.log(`${label.padStart(8)}  ${rate.padStart(6)}  ${requests.padStart(8)}  ${mib(m.rss)}      ${mib(m.heapUsed)}       ${mib(m.heapTotal)}     ${mib(m.external)}         ${mib(m.arrayBuffers)}         ${mib(m.searchHeapUsed)}/${mib(m.searchHeapTotal)}         ${String(m.searchDelta).padStart(5)}   ${m.pageCache.hits}/${m.pageCache.renders}`);
    row('start', start, '', '0');
    let lastRequests = 0;
    let lastAt = 0;
    const result: MixedResult = await runMixed({
      origin: server.origin,
      clients,
      durationSec: minutes * 60,
      tokens,
      questionIds: ids,
      threadPath: (id) => paths.get(id)!,
      tag: 'router',
      tickMs: tickSec * 1000,
      onTick: async (elapsed, sofar) => {
        const m = await memory();
        const rate = ((sofar.requests - lastRequests) * 1000) / (elapsed - lastAt);
        lastRequests = sofar.requests;
        lastAt = elapsed;
        row(`${Math.round(elapsed / 1000)} s`, m, rate.toFixed(0), String(sofar.requests));
      },
    });
    row('end', await memory(), '', String(result.requests));
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    row('idle 30s', await memory(), '', String(result.requests));
    console.log();
    for (const line of summarize(result)) console.log(line);
    if (snapshotDir) {
      fs.mkdirSync(snapshotDir, { recursive: true });
      console.log(`\nheap snapshot: ${await server.ask<string>('heap-snapshot', { dir: snapshotDir })}`);
    }
    console.log(`\nload average at the end (1 min): ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores`);
  } finally {
    await server.stop();
  }
}

await main();
