// The search index's life beside a running server: writes found without waiting on the index, a CLI
// import from another process, `resuelto reindex` picked up as a new generation, and a restart that
// loads the persisted shards instead of rebuilding them. Never asserts how long anything took.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { closeDatabase, openDatabase, type Db } from '../../src/db/client.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { readManifest, searchDirFor } from '../../src/features/search/store.ts';
import { getSettings } from '../../src/features/settings/service.ts';
import { nextIp } from '../fixtures/hostile.ts';
import { createUser, tokenFor } from '../helper.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

interface RunningForum {
  app: FastifyInstance;
  db: Db;
  config: Config;
  /** Stops the server and closes the database, leaving the files (unlike test/helper.ts). */
  stop: () => Promise<void>;
}

async function startForum(databasePath: string): Promise<RunningForum> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_PATH: databasePath });
  const db = openDatabase(config.databasePath);
  const app = await buildApp(config, { db });
  await app.ready();
  let stopped = false;
  return {
    app,
    db,
    config,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await app.close();
      } finally {
        closeDatabase(db);
      }
    },
  };
}

/** Runs `npx resuelto …` against this forum's database, as an operator would in another terminal. */
function cli(databasePath: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', DATABASE_PATH: databasePath };
  delete env.BASE_URL; // vitest's own BASE_URL ("/") is not the forum's
  return run(process.execPath, [path.join(REPO_ROOT, 'bin/resuelto.js'), ...args], { cwd: REPO_ROOT, env, timeout: 60_000 });
}

/** Retries `probe` until `done` holds or a generous limit passes; returns the last value for the assertion. */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, limitMs = 10_000): Promise<T> {
  const until = Date.now() + limitMs;
  let value = await probe();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

const FIXTURE_SITE = 'lifecycle.example.com';
const FIXTURE = `<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="1" PostTypeId="1" AcceptedAnswerId="2" CreationDate="2016-01-01T10:00:00.000" Score="3" ViewCount="10" Body="&lt;p&gt;The hydrometer reading has stayed at 1.020 for two weeks of fermentation. Is the batch stuck?&lt;/p&gt;" OwnerUserId="7" LastActivityDate="2016-01-02T10:00:00.000" Title="Hydrometer reading stuck at 1.020 after two weeks" Tags="&lt;fermentation&gt;&lt;hydrometer&gt;" AnswerCount="1" CommentCount="0" />
  <row Id="2" PostTypeId="2" ParentId="1" CreationDate="2016-01-01T12:00:00.000" Score="2" Body="&lt;p&gt;Warm the fermenter a little and gently rouse the yeast.&lt;/p&gt;" OwnerUserId="8" CommentCount="0" />
  <row Id="3" PostTypeId="1" CreationDate="2016-02-01T10:00:00.000" Score="1" ViewCount="4" Body="&lt;p&gt;La levadura lleva dos días sin burbujear en el fermentador y no sé si sigue viva.&lt;/p&gt;" OwnerUserId="7" Title="¿Por qué la levadura no burbujea en el fermentador?" Tags="&lt;levadura&gt;" AnswerCount="0" CommentCount="0" />
</posts>
`;

let dir: string;
let databasePath: string;
let forum: RunningForum;
let auth: Record<string, string>;

async function search(q: string): Promise<{ id: number; title: string; hasAcceptedAnswer: boolean }[]> {
  const response = await forum.app.inject({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items;
}

const titlesFor = async (q: string) => (await search(q)).map((item) => item.title);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-search-lifecycle-'));
  databasePath = path.join(dir, 'forum.db');
  forum = await startForum(databasePath);
  auth = (await tokenFor(forum.app, forum.db, 'staff')).auth;
  await forum.app.searchIndex.ready();
});

afterAll(async () => {
  await forum?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a running server', () => {
  it('makes a question findable on its own, without anyone waiting on the index', async () => {
    const response = await forum.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: auth,
      remoteAddress: nextIp(),
      payload: { title: 'La caldera pierde presión cada mañana', body: 'El manómetro de la caldera baja de 1,5 a 0,5 bar durante la noche.', tags: ['calefaccion'] },
    });
    expect(response.statusCode, response.body).toBe(201);
    // No sync(): the server follows the change log by itself.
    const titles = await eventually(() => titlesFor('caldera manómetro'), (list) => list.length > 0);
    expect(titles).toEqual(['La caldera pierde presión cada mañana']);
  });

  it('finds questions imported by the CLI in another process', async () => {
    fs.mkdirSync(path.join(dir, FIXTURE_SITE), { recursive: true });
    const file = path.join(dir, FIXTURE_SITE, 'Posts.xml');
    fs.writeFileSync(file, FIXTURE);
    const { stdout } = await cli(databasePath, 'import-stackexchange', file);
    expect(stdout).toContain(`Imported from ${FIXTURE_SITE}: 2 questions, 1 answers`);

    const imported = await eventually(() => search('hydrometer stuck'), (list) => list.length > 0);
    expect(imported[0]).toMatchObject({ title: 'Hydrometer reading stuck at 1.020 after two weeks', hasAcceptedAnswer: true });
    // The accepted answer's words find it too, and the Spanish question by its own words.
    expect(await eventually(() => titlesFor('rouse yeast'), (list) => list.length > 0)).toContain('Hydrometer reading stuck at 1.020 after two weeks');
    expect(await eventually(() => titlesFor('levadura burbujear'), (list) => list.length > 0)).toEqual(['¿Por qué la levadura no burbujea en el fermentador?']);
  });

  it('loads the new generation written by `resuelto reindex`, and keeps following writes', async () => {
    const before = await forum.app.searchIndex.status();
    const { stdout } = await cli(databasePath, 'reindex');
    expect(stdout).toMatch(/Search index rebuilt: 3 questions in 1 shards \(generation \d+/);
    const written = readManifest(searchDirFor(databasePath))!;
    expect(written.generation).toBeGreaterThan(before.generation);

    const after = await eventually(() => forum.app.searchIndex.status(), (status) => status.generation > before.generation);
    expect(after.generation).toBe(written.generation);
    expect(after.documents).toBe(3);
    // Everything is still there, served from the new generation's shards.
    expect(await titlesFor('caldera')).toEqual(['La caldera pierde presión cada mañana']);
    expect(await titlesFor('hydrometer')).toEqual(['Hydrometer reading stuck at 1.020 after two weeks']);
    // And writes after the reindex are followed as before.
    const response = await forum.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: auth,
      remoteAddress: nextIp(),
      payload: { title: 'The dishwasher leaves a white film on glasses', body: 'Every cycle leaves the glasses cloudy even with rinse aid in the dispenser.', tags: ['dishwasher'] },
    });
    expect(response.statusCode, response.body).toBe(201);
    await forum.app.searchIndex.sync();
    expect(await titlesFor('dishwasher cloudy glasses')).toEqual(['The dishwasher leaves a white film on glasses']);
  });

  it('loads the persisted index on restart instead of rebuilding it', async () => {
    const searchDir = searchDirFor(databasePath);
    const before = await forum.app.searchIndex.sync();
    const manifestBefore = fs.readFileSync(path.join(searchDir, 'manifest.json'), 'utf8');
    const shardsBefore = fs.readdirSync(searchDir).filter((name) => name.startsWith('shard-')).sort();
    await forum.stop();

    // While the server is down, another process writes a question (it lands in the change log).
    const offline = openDatabase(databasePath);
    try {
      const author = await createUser(offline, 'staff');
      askQuestion(
        offline,
        { id: author.id, role: 'staff', reputation: 1, createdAt: new Date() },
        { title: 'The freezer door does not close after defrosting', body: 'Since I defrosted it the seal bulges and the door stays ajar by a centimetre.', tags: ['freezer'] },
        getSettings(offline),
      );
    } finally {
      closeDatabase(offline);
    }

    forum = await startForum(databasePath);
    const loaded = await forum.app.searchIndex.ready();
    expect(loaded.ready).toBe(true);
    expect(typeof loaded.loadMs).toBe('number');
    // Same generation and the very same files: loaded, not rebuilt.
    expect(loaded.generation).toBe(before.generation);
    expect(loaded.shards).toBe(before.shards);
    expect(fs.readFileSync(path.join(searchDir, 'manifest.json'), 'utf8')).toBe(manifestBefore);
    expect(fs.readdirSync(searchDir).filter((name) => name.startsWith('shard-')).sort()).toEqual(shardsBefore);

    // Changes written after the shards were built are replayed from the change log.
    const status = await forum.app.searchIndex.sync();
    expect(status.documents).toBe(before.documents + 1);
    expect(status.appliedChangeId).toBe(status.latestChangeId);
    expect(await titlesFor('dishwasher')).toEqual(['The dishwasher leaves a white film on glasses']);
    expect(await titlesFor('hydrometer')).toEqual(['Hydrometer reading stuck at 1.020 after two weeks']);
    expect(await titlesFor('caldera')).toEqual(['La caldera pierde presión cada mañana']);
    expect(await titlesFor('freezer seal defrosting')).toEqual(['The freezer door does not close after defrosting']);
  });

  it('rebuilds an index whose files are gone, as a new generation', async () => {
    const searchDir = searchDirFor(databasePath);
    const before = await forum.app.searchIndex.status();
    await forum.stop();
    fs.rmSync(searchDir, { recursive: true, force: true });

    forum = await startForum(databasePath);
    const rebuilt = await forum.app.searchIndex.ready();
    expect(rebuilt.generation).toBe(1);
    expect(rebuilt.documents).toBe(before.documents);
    expect(readManifest(searchDir)?.generation).toBe(1);
    expect(await titlesFor('hydrometer')).toEqual(['Hydrometer reading stuck at 1.020 after two weeks']);
  });
});
