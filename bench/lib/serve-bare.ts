// Bench helper: a bare Fastify 5 "hello" server, the baseline the forum is measured against (and, on
// /same-bytes, a page as large as the forum's thread).
// Run as a child process by bench/lib/servers.ts; prints {"port":N} on stdout once it listens.
import fs from 'node:fs';
import Fastify from 'fastify';

const HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hello</title></head>' +
  '<body><h1>Hello</h1><p>A bare Fastify page.</p></body></html>';

const app = Fastify({ logger: false });
app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(HTML));

// The same bytes as another page (the forum's thread, written to BENCH_BARE_PAGE_FILE by the bench before it
// asks): what bare Fastify does when the page is as large, i.e. the ceiling of the load generator and loopback.
let page: Buffer | undefined;
app.get('/same-bytes', async (_request, reply) => {
  page ??= fs.readFileSync(process.env.BENCH_BARE_PAGE_FILE ?? '');
  return reply.type('text/html; charset=utf-8').send(page);
});

// The forum's page as a returning browser gets it (gzip body and the forum's headers, written by the bench to
// BENCH_BARE_GZIP_FILE as JSON): the most any Fastify server can do for that browser on this machine and load
// generator, which must receive and decompress every byte.
let gzipPage: { headers: Record<string, string>; body: Buffer } | undefined;
app.get('/same-gzip', async (_request, reply) => {
  if (!gzipPage) {
    const saved = JSON.parse(fs.readFileSync(process.env.BENCH_BARE_GZIP_FILE ?? '', 'utf8')) as { headers: Record<string, string>; body: string };
    gzipPage = { headers: saved.headers, body: Buffer.from(saved.body, 'base64') };
  }
  return reply.headers(gzipPage.headers).send(gzipPage.body);
});

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await app.close().catch(() => {});
  process.exit(0); // a clean exit, so that --cpu-prof can write its profile
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.on('disconnect', () => void shutdown()); // the bench process went away

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('unexpected server address');
process.stdout.write(JSON.stringify({ port: address.port }) + '\n');
