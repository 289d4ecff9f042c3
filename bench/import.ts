// Import benchmark: the full beer.stackexchange.com dump into a fresh temporary database, then the same
// file again (the idempotent re-run). Prints figures only; it never fails on performance.
//
//   npm run bench:import                         the beer dump from ../shared/data
//   BENCH_IMPORT_FILE=/path/to/site/Posts.xml npm run bench:import
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDatabase, openDatabase } from '../src/db/client.ts';
import { importStackExchange, type ImportCounts, type ImportProgress } from '../src/features/import/stackexchange.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.resolve(process.env.BENCH_IMPORT_FILE ?? path.join(REPO_ROOT, '..', 'shared/data/beer.stackexchange.com/Posts.xml'));

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function machineSummary(): string {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

async function timed(run: () => Promise<ImportCounts>): Promise<{ counts: ImportCounts; seconds: number }> {
  const started = performance.now();
  const counts = await run();
  return { counts, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  if (!fs.existsSync(file)) {
    console.error(`No dump at ${file}: set BENCH_IMPORT_FILE to a Stack Exchange Posts.xml.`);
    process.exitCode = 1;
    return;
  }
  console.log(`Import benchmark — ${new Date().toISOString()}`);
  console.log(`Machine: ${machineSummary()}`);
  console.log(`File: ${file} (${mib(fs.statSync(file).size)})\n`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-bench-import-'));
  const dbFile = path.join(dir, 'forum.db');
  const db = openDatabase(dbFile);
  try {
    const rssBefore = process.memoryUsage().rss;
    // Time at which each phase ended, from the progress reports.
    const phaseEnds = new Map<string, number>();
    const started = performance.now();
    const onProgress = (progress: ImportProgress) => phaseEnds.set(progress.phase, (performance.now() - started) / 1000);
    const first = await timed(() => importStackExchange(db, file, { onProgress }));
    const posts = first.counts.questions + first.counts.answers;
    const peakRss = process.resourceUsage().maxRSS * 1024;

    const again = await timed(() => importStackExchange(db, file));
    db.$client.pragma('wal_checkpoint(TRUNCATE)');

    const c = first.counts;
    console.log(`first import: ${c.questions} questions, ${c.answers} answers, ${c.accepted} accepted, ${c.users} placeholder authors, ${c.skipped} skipped`);
    const reading = phaseEnds.get('late-answers') ?? phaseEnds.get('posts') ?? 0;
    const passes = phaseEnds.has('late-answers') ? 'two passes' : 'one pass';
    console.log(`  time        ${first.seconds.toFixed(2)} s (reading and writing posts, ${passes}: ${reading.toFixed(2)} s; reputation: ${(first.seconds - reading).toFixed(2)} s)`);
    console.log(`  throughput  ${(posts / first.seconds).toFixed(0)} posts/s`);
    console.log(`re-run:       ${again.counts.questions + again.counts.answers} added, ${again.counts.skipped} skipped, ${again.seconds.toFixed(2)} s`);
    console.log(`peak RSS:     ${mib(peakRss)} (RSS before the import ${mib(rssBefore)})`);
    console.log(`database:     ${mib(fs.statSync(dbFile).size)}`);
  } finally {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
