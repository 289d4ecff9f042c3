// The sitemap of a forum of 100,000 questions (BENCH_SITEMAP_SIZE), made as /sitemap.xml and its files are:
// every file streamed from keyset batches of the database into a SitemapStream. Prints, per file and in all,
// the time, the URLs, the bytes, and memory: the peak RSS and heap above what the process held before
// (sampled every 5 ms, plus Linux's VmHWM), first streamed to a sink that only counts bytes (what streaming
// costs), then as the server keeps them (the whole file collected, then gzipped once).
//
// The corpus (bench/lib/corpus.ts: recombined real beer.stackexchange.com sentences, 2,000 users, real tags)
// is made once and cached in BENCH_CACHE (default: the temp folder).
//
// npm run bench:sitemap
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { openDatabase, closeDatabase } from '../src/db/client.ts';
import { collect } from '../src/features/feeds/document-cache.ts';
import { fileCount, indexEntries, SITEMAP_KINDS, sitemapIndexStream, sitemapStream, writeSitemapFile, type SitemapKind } from '../src/features/feeds/sitemap.ts';
import { CORPUS_VERSION, generateCorpus } from './lib/corpus.ts';

const size = Number(process.env.BENCH_SITEMAP_SIZE ?? 100_000);
const cacheDir = process.env.BENCH_CACHE ?? path.join(os.tmpdir(), 'resuelto-bench-sitemap');
const BASE = 'https://forum.example.com';
const MiB = 2 ** 20;

fs.mkdirSync(cacheDir, { recursive: true });
const file = path.join(cacheDir, `corpus-v${CORPUS_VERSION}-${size}.db`);
if (!fs.existsSync(file)) {
  console.error(`making a corpus of ${size} questions in ${file} (once)…`);
  const stats = await generateCorpus(file, { size, onProgress: (done, total) => done % 20_000 === 0 && console.error(`  ${done}/${total}`) });
  console.error(`  ${stats.questions} questions, ${stats.answers} answers in ${stats.seconds.toFixed(0)} s`);
}
const db = openDatabase(file);

function vmHwmKiB(): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `work`, sampling memory meanwhile; returns its time and the peaks above the start. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; rssMiB: number; heapMiB: number }> {
  globalThis.gc?.();
  const start = process.memoryUsage();
  let rss = start.rss;
  let heap = start.heapUsed;
  const sample = () => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    heap = Math.max(heap, now.heapUsed);
  };
  const timer = setInterval(sample, 5);
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  sample();
  clearInterval(timer);
  return { value, ms, rssMiB: (rss - start.rss) / MiB, heapMiB: (heap - start.heapUsed) / MiB };
}

/**
 * Streams one file into a sink that keeps nothing and reads slower than the writer (as a network socket
 * does): what streaming costs without anyone holding the document. Returns its URLs and bytes.
 */
async function streamToSink(kind: SitemapKind, n: number): Promise<{ urls: number; bytes: number }> {
  let urls = 0;
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      urls += chunk.toString().split('<url>').length - 1;
      setImmediate(done);
    },
  });
  const stream = sitemapStream(BASE);
  const finished = new Promise<void>((resolve, reject) => stream.pipe(sink).on('finish', resolve).on('error', reject));
  await writeSitemapFile(db, kind, n, stream);
  await finished;
  return { urls, bytes };
}

const live = db.$client.prepare('select count(*) from questions where deleted_at is null').pluck().get() as number;
const hwmBefore = vmHwmKiB();
console.log(`Sitemaps of ${live.toLocaleString('en')} questions on ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}${globalThis.gc ? ', --expose-gc' : ''}`);
console.log('');

const rows: string[][] = [];
let totalMs = 0;
let peakRss = 0;
let peakHeap = 0;
let urls = 0;
const index = await measured(async () => (await collect(sitemapIndexStream(indexEntries(db, BASE)))).length);
rows.push(['sitemap.xml (index)', '–', (index.value / 1024).toFixed(1) + ' KiB', index.ms.toFixed(0), index.rssMiB.toFixed(1), index.heapMiB.toFixed(1)]);
for (const kind of SITEMAP_KINDS as readonly SitemapKind[]) {
  for (let n = 1; n <= fileCount(db, kind); n++) {
    const streamed = await measured(() => streamToSink(kind, n));
    const kept = await measured(async () => {
      const stream = sitemapStream(BASE);
      const [body] = await Promise.all([collect(stream), writeSitemapFile(db, kind, n, stream)]);
      return { body: body.length, gzip: gzipSync(body).length };
    });
    urls += streamed.value.urls;
    totalMs += streamed.ms;
    peakRss = Math.max(peakRss, streamed.rssMiB);
    peakHeap = Math.max(peakHeap, streamed.heapMiB);
    rows.push([
      `${kind}-${n}.xml streamed`,
      streamed.value.urls.toLocaleString('en'),
      (streamed.value.bytes / MiB).toFixed(1) + ' MiB',
      streamed.ms.toFixed(0),
      streamed.rssMiB.toFixed(1),
      streamed.heapMiB.toFixed(1),
    ]);
    rows.push([
      `${kind}-${n}.xml kept (+ gzip)`,
      streamed.value.urls.toLocaleString('en'),
      `${(kept.value.body / MiB).toFixed(1)} MiB (${(kept.value.gzip / MiB).toFixed(2)} gz)`,
      kept.ms.toFixed(0),
      kept.rssMiB.toFixed(1),
      kept.heapMiB.toFixed(1),
    ]);
  }
}
const header = ['file', 'URLs', 'bytes', 'ms', 'peak RSS +MiB', 'peak heap +MiB'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log('');
console.log(`All files streamed: ${urls.toLocaleString('en')} URLs in ${(totalMs / 1000).toFixed(2)} s; largest peak above the start: RSS +${peakRss.toFixed(1)} MiB, heap +${peakHeap.toFixed(1)} MiB.`);
const hwmAfter = vmHwmKiB();
if (hwmBefore !== undefined && hwmAfter !== undefined) console.log(`Process peak RSS (VmHWM): ${(hwmBefore / 1024).toFixed(0)} MiB before the sitemaps, ${(hwmAfter / 1024).toFixed(0)} MiB after (+${((hwmAfter - hwmBefore) / 1024).toFixed(0)} MiB, kept files included).`);
closeDatabase(db);
