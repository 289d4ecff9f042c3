// The outbox survives kill -9: a mail committed with its event is delivered exactly once after a restart,
// whether the process died before the sender claimed it or while the SMTP server held it unanswered.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client.ts';
import { mailOutbox } from '../../src/db/schema.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { BROWSER_USER_AGENT, createUser } from '../helper.ts';
import { startMailServer, type MailServer } from '../mail-server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const children: ChildProcess[] = [];
let smtp: MailServer;
let dir: string;
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await smtp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function startServer(env: Record<string, string>) {
  // (vitest puts a BASE_URL of its own in the environment.)
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, BASE_URL: `http://127.0.0.1:${env.PORT}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${env.PORT}`;
  await until(`the server to start (${output})`, async () => {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    try {
      return (await fetch(`${base}/healthz`)).ok || undefined;
    } catch {
      return undefined;
    }
  });
  return { child, base };
}

/** Asks for a password reset as a browser would (CSRF cookie and token), and returns once the answer is in. */
async function requestReset(base: string, login: string) {
  const page = await fetch(`${base}/signin/forgot`, { headers: { 'user-agent': BROWSER_USER_AGENT } });
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const response = await fetch(`${base}/signin/forgot`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'user-agent': BROWSER_USER_AGENT },
    body: new URLSearchParams({ login, _csrf: token }).toString(),
  });
  expect(response.status).toBe(200);
}

const kill9 = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('kill -9 between commit and send', () => {
  it('delivers every committed mail exactly once after a restart', { timeout: 90_000 }, async () => {
    smtp = await startMailServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-crash-'));
    const databasePath = path.join(dir, 'forum.db');
    const db = openDatabase(databasePath);
    // A short claim, so that a claim left by a dead process runs out within the test.
    setSetting(db, 'mailClaimSeconds', 2);
    const first = await createUser(db);
    const second = await createUser(db);
    closeDatabase(db);
    const env = { NODE_ENV: 'test', HOST: '127.0.0.1', DATABASE_PATH: databasePath, SMTP_URL: smtp.smtpUrl, LOG_LEVEL: 'silent' };

    // 1. The SMTP server takes the message and never answers; the process dies while it waits.
    smtp.stall = true;
    const one = await startServer({ ...env, PORT: String(await freePort()) });
    await requestReset(one.base, first.username);
    await until('the stalled delivery', () => (smtp.stalled >= 1 ? true : undefined));
    await kill9(one.child);

    // 2. The process dies right after the request's answer: the mail is committed, maybe not even claimed.
    const two = await startServer({ ...env, PORT: String(await freePort()) });
    await requestReset(two.base, second.username);
    await kill9(two.child);
    expect(smtp.messages).toHaveLength(0);

    // 3. A restart with a working server delivers everything once.
    smtp.stall = false;
    const three = await startServer({ ...env, PORT: String(await freePort()) });
    const check = openDatabase(databasePath, { migrate: false });
    try {
      const rows = () => check.select().from(mailOutbox).all();
      await until('every outbox row sent', () => (rows().length > 0 && rows().every((r) => r.status === 'sent') ? true : undefined), 30_000);
      // Let a few more sender passes run: nothing may be sent again.
      await new Promise((r) => setTimeout(r, 2500));
      const all = rows();
      expect(all.map((r) => r.status)).toEqual(all.map(() => 'sent'));
      const resets = all.filter((r) => r.template === 'reset-password');
      expect(resets.map((r) => r.toUserId).sort()).toEqual([first.id, second.id].sort());
      // Exactly one delivery per row, under the row's own Message-ID.
      const ids = smtp.messages.map((m) => m.messageId);
      expect(ids).toHaveLength(all.length);
      expect(new Set(ids).size).toBe(all.length);
      for (const row of all) expect(ids).toContain(`<${row.messageToken}@127.0.0.1>`);
      expect(smtp.messages.filter((m) => m.subject === 'Elige una contraseña nueva')).toHaveLength(2);
    } finally {
      closeDatabase(check);
      three.child.kill('SIGTERM');
    }
  });
});
