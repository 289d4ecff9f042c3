// The real server and CLI as processes: the files they create are the owner's alone (0600/0700), a kill -9 in
// the middle of writes loses no acknowledged write, and `backup` writes a private, consistent copy.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { createUser } from '../helper.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

let dir: string;
let databasePath: string;
let login: { username: string; password: string };

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/** The environment of a child process: vitest's own BASE_URL ("/") is not the forum's. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.BASE_URL;
  return env;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  base: string;
}

/** Starts `npm start`'s command on the test database and waits for /healthz. */
async function startServer(): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: childEnv({ NODE_ENV: 'production', DATABASE_PATH: databasePath, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { child, base };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start: ${output}`);
}

async function killHard(running: Running): Promise<void> {
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGKILL');
  await exited;
}

async function stopGracefully(running: Running): Promise<void> {
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  await exited;
}

async function bearer(base: string): Promise<Record<string, string>> {
  const response = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: login.username, password: login.password }),
  });
  expect(response.status).toBe(200);
  return { authorization: `Bearer ${((await response.json()) as { token: string }).token}`, 'content-type': 'application/json' };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-process-'));
  databasePath = path.join(dir, 'data', 'forum.db');
  const db = openDatabase(databasePath);
  // A moderator (exempt from members' posting limits) and no per-address limit in the way of the load.
  const user = await createUser(db, 'moderator', `durable_${process.pid}`);
  login = { username: user.username, password: user.password };
  setSetting(db, 'postsPerIpPerMinute', 10_000);
  setSetting(db, 'signInPerIpPerMinute', 10_000);
  setSetting(db, 'secondsBetweenPosts', 0);
  closeDatabase(db);
  // What an older install left: a world-readable database. Starting the server takes group and other bits off.
  fs.chmodSync(databasePath, 0o644);
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the files the server creates', () => {
  it('the database, its WAL and shared memory, the secrets and the data folder are the owner’s alone', async () => {
    fs.rmSync(path.join(dir, 'data', 'secrets.json'), { force: true });
    const running = await startServer();
    try {
      const auth = await bearer(running.base);
      const asked = await fetch(`${running.base}/api/v1/questions`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ title: 'Where are the files kept and who reads them', body: 'A question written to make the WAL exist.', tags: ['files'] }),
      });
      expect(asked.status).toBe(201);
      const data = path.join(dir, 'data');
      for (const name of ['forum.db', 'forum.db-wal', 'forum.db-shm', 'secrets.json']) expect(modeOf(path.join(data, name)).toString(8), name).toBe('600');
      // Everything else the server wrote there (the search index) is private too: the umask is 077.
      const walk = (folder: string): string[] => fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? [path.join(folder, entry.name), ...walk(path.join(folder, entry.name))] : [path.join(folder, entry.name)]));
      for (const file of walk(data)) expect(modeOf(file) & 0o077, file).toBe(0);
    } finally {
      await stopGracefully(running);
    }
  });
});

describe('kill -9 in the middle of writes', () => {
  it('over 3 rounds, every write the server acknowledged is there after a restart, and the database is intact', async () => {
    const acknowledged: number[] = [];
    let refusedOrCut = 0;
    for (let round = 0; round < 3; round++) {
      const running = await startServer();
      const auth = await bearer(running.base);
      let stop = false;
      const writer = async (worker: number) => {
        for (let n = 0; !stop; n++) {
          try {
            const response = await fetch(`${running.base}/api/v1/questions`, {
              method: 'POST',
              headers: auth,
              body: JSON.stringify({
                title: `Durability round ${round} worker ${worker} write ${n}`,
                body: `Written by worker ${worker} in round ${round}, number ${n}: it must survive a crash once acknowledged.`,
                tags: ['durability'],
              }),
            });
            if (response.status === 201) acknowledged.push(((await response.json()) as { id: number }).id);
            else refusedOrCut += 1;
          } catch {
            // The connection died with the server: not acknowledged, so nothing is promised.
            refusedOrCut += 1;
            return;
          }
        }
      };
      const writers = Array.from({ length: 6 }, (_, worker) => writer(worker));
      // Let writes flow, then kill the server while they are in flight.
      const before = acknowledged.length;
      while (acknowledged.length < before + 40) await new Promise((resolve) => setTimeout(resolve, 20));
      await killHard(running);
      stop = true;
      await Promise.all(writers);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(120);

    const running = await startServer();
    try {
      const missing: number[] = [];
      for (const id of acknowledged) {
        const response = await fetch(`${running.base}/api/v1/questions/${id}`);
        if (response.status !== 200) missing.push(id);
      }
      expect(missing, `${missing.length} of ${acknowledged.length} acknowledged writes lost (${refusedOrCut} cut or refused)`).toEqual([]);
    } finally {
      await stopGracefully(running);
    }
    const sqlite = new Database(databasePath, { readonly: true });
    try {
      expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(sqlite.pragma('foreign_key_check')).toEqual([]);
    } finally {
      sqlite.close();
    }
  }, 120_000);
});

describe('npx resuelto backup', () => {
  it('writes a consistent copy readable by the owner only, even over an existing world-readable file', async () => {
    const target = path.join(dir, 'backup.db');
    fs.writeFileSync(target, '');
    fs.chmodSync(target, 0o644);
    const { stdout } = await run(process.execPath, ['bin/resuelto.js', 'backup', target], { cwd: ROOT, env: childEnv({ DATABASE_PATH: databasePath }) });
    expect(stdout).toContain('Backup written to');
    expect(modeOf(target).toString(8)).toBe('600');
    const copy = new Database(target, { readonly: true });
    const original = new Database(databasePath, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const count = (db: Database.Database) => (db.prepare('select count(*) as n from questions').get() as { n: number }).n;
      expect(count(copy)).toBe(count(original));
      expect(count(copy)).toBeGreaterThan(0);
    } finally {
      copy.close();
      original.close();
    }

    const fresh = path.join(dir, 'fresh-backup.db');
    await run(process.execPath, ['bin/resuelto.js', 'backup', fresh], { cwd: ROOT, env: childEnv({ DATABASE_PATH: databasePath }) });
    expect(modeOf(fresh).toString(8)).toBe('600');
  }, 60_000);
});
