// The access log: one concise line per request at info, none at warn; slow requests at warn whatever the level
// lets through below it; secrets in URLs (the setup token) never written.
import { Writable } from 'node:stream';
import Fastify, { LogController } from 'fastify';
import { describe, expect, it } from 'vitest';
import accessLog from '../../src/plugins/access-log.ts';

async function logged(level: string, slowRequestMs: number, urls: string[]): Promise<{ level: number; msg: string }[]> {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _encoding, callback) => (lines.push(String(chunk)), callback()) });
  const app = Fastify({ logger: { level, stream }, logController: new LogController({ disableRequestLogging: true }) });
  await app.register(accessLog, { slowRequestMs });
  app.get('/*', async () => 'ok');
  app.get('/slow', async () => new Promise((resolve) => setTimeout(() => resolve('slow'), 30)));
  for (const url of urls) await app.inject({ method: 'GET', url });
  await app.close();
  return lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => !/Server listening|closing/.test(line.msg));
}

describe('access log', () => {
  it('writes one short line per request at info', async () => {
    const lines = await logged('info', 1000, ['/questions?sort=active', '/setup/secret-token-123']);
    expect(lines).toHaveLength(2);
    expect(lines[0].msg).toMatch(/^GET \/questions\?sort=active 200 \d+\.\dms$/);
    expect(lines[1].msg).toContain('/setup/[redacted]');
    expect(JSON.stringify(lines)).not.toContain('secret-token-123');
    for (const line of lines) expect(JSON.stringify(line).length).toBeLessThan(200);
  });

  it('writes nothing per request at warn, but slow requests always', async () => {
    const lines = await logged('warn', 20, ['/questions', '/slow', '/tags']);
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe(40);
    expect(lines[0].msg).toMatch(/^slow request: GET \/slow 200 \d+ms$/);
  });
});
