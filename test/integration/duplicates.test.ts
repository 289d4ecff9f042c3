// Duplicates and related links: closeAsDuplicate (authorization, validation, no chains, the search change log
// in the same transaction), the Stack Exchange import of PostLinks.xml (idempotent), and what threads show.
import fs from 'node:fs';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionLinks, questions, searchChanges } from '../../src/db/schema.ts';
import { importStackExchange, type ImportCounts } from '../../src/features/import/stackexchange.ts';
import { closeAsDuplicate } from '../../src/features/questions/duplicates.ts';
import { askQuestion, deleteQuestion } from '../../src/features/questions/service.ts';
import { getSettings } from '../../src/features/settings/service.ts';
import { AppError } from '../../src/lib/errors.ts';
import { BROWSER_USER_AGENT, buildTestApp, createUser, type TestApp } from '../helper.ts';

const SITE = 'dups.example.com';
const EN = { 'accept-language': 'en' };
const POSTS = `<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="1" PostTypeId="1" AcceptedAnswerId="2" CreationDate="2015-01-01T08:00:00.000" Score="5" ViewCount="100" Body="&lt;p&gt;My router keeps dropping the wireless connection every evening.&lt;/p&gt;" OwnerUserId="1" Title="Router drops the wireless connection every evening" Tags="&lt;router&gt;" />
  <row Id="2" PostTypeId="2" ParentId="1" CreationDate="2015-01-01T09:00:00.000" Score="3" Body="&lt;p&gt;Change the wireless channel to one your neighbours do not use.&lt;/p&gt;" OwnerUserId="2" />
  <row Id="3" PostTypeId="1" CreationDate="2015-02-01T08:00:00.000" Score="0" ViewCount="10" Body="&lt;p&gt;Every night at eight the internet stops working.&lt;/p&gt;" OwnerUserId="3" Title="Internet stops working at night, what can I do?" Tags="&lt;router&gt;" />
  <row Id="4" PostTypeId="1" CreationDate="2015-03-01T08:00:00.000" Score="0" ViewCount="10" Body="&lt;p&gt;The connection is lost each evening, it comes back in the morning.&lt;/p&gt;" OwnerUserId="3" Title="Connection lost each evening until the morning" Tags="&lt;router&gt;" />
  <row Id="5" PostTypeId="1" CreationDate="2015-04-01T08:00:00.000" Score="0" ViewCount="10" Body="&lt;p&gt;Which channels are best for a router in a block of flats?&lt;/p&gt;" OwnerUserId="4" Title="Best wireless channel in a block of flats" Tags="&lt;router&gt;" />
</posts>
`;
// 3 → 1 and 4 → 3 (a chain: 4 must end up on 1), 5 related to 1, 1 → 4 (a cycle: refused), links to a
// missing post and an unknown link type (ignored).
const LINKS = `<?xml version="1.0" encoding="utf-8"?>
<postlinks>
  <row Id="1" CreationDate="2015-02-02T08:00:00.000" PostId="3" RelatedPostId="1" LinkTypeId="3" />
  <row Id="2" CreationDate="2015-03-02T08:00:00.000" PostId="4" RelatedPostId="3" LinkTypeId="3" />
  <row Id="3" CreationDate="2015-04-02T08:00:00.000" PostId="5" RelatedPostId="1" LinkTypeId="1" />
  <row Id="4" CreationDate="2015-04-03T08:00:00.000" PostId="1" RelatedPostId="4" LinkTypeId="3" />
  <row Id="5" CreationDate="2015-04-04T08:00:00.000" PostId="5" RelatedPostId="999" LinkTypeId="1" />
  <row Id="6" CreationDate="2015-04-05T08:00:00.000" PostId="5" RelatedPostId="3" LinkTypeId="7" />
</postlinks>
`;

describe('duplicates and related links', () => {
  let t: TestApp;
  let first: ImportCounts;
  const local = (sourceId: number) => t.db.select().from(questions).where(eq(questions.sourceId, sourceId)).get()!;
  const changes = () => t.db.select({ n: count() }).from(searchChanges).get()!.n;

  beforeAll(async () => {
    t = await buildTestApp();
    fs.mkdirSync(path.join(t.dir, SITE));
    fs.writeFileSync(path.join(t.dir, SITE, 'Posts.xml'), POSTS);
    fs.writeFileSync(path.join(t.dir, SITE, 'PostLinks.xml'), LINKS);
    first = await importStackExchange(t.db, path.join(t.dir, SITE, 'Posts.xml'), { batchSize: 2 });
  });
  afterAll(() => t.close());

  it('imports PostLinks.xml: duplicates closed on the end of their chain, related links kept, cycles refused', () => {
    expect(first).toMatchObject({ questions: 4, answers: 1, duplicates: 2, related: 1 });
    expect(local(3)).toMatchObject({ status: 'closed', duplicateOfId: local(1).id });
    expect(local(4)).toMatchObject({ status: 'closed', duplicateOfId: local(1).id });
    expect(local(1)).toMatchObject({ status: 'open', duplicateOfId: null });
    expect(local(5)).toMatchObject({ status: 'open', duplicateOfId: null });
    expect(t.db.select().from(questionLinks).all()).toEqual([expect.objectContaining({ questionId: local(5).id, relatedId: local(1).id })]);
  });

  it('adds nothing when run again', async () => {
    const before = changes();
    const again = await importStackExchange(t.db, path.join(t.dir, SITE, 'Posts.xml'));
    expect(again).toMatchObject({ questions: 0, answers: 0, duplicates: 0, related: 0 });
    expect(changes()).toBe(before);
    expect(t.db.select({ n: count() }).from(questionLinks).get()!.n).toBe(1);
  });

  it('shows a duplicate the original, with its accepted answer', async () => {
    const { body } = await t.app.inject({ url: `/questions/${local(3).id}/${local(3).slug}`, headers: EN });
    expect(body).toContain('This question has an answer elsewhere');
    expect(body).toContain(`href="/questions/${local(1).id}/`);
    expect(body).toContain('Change the wireless channel');
    const es = await t.app.inject({ url: `/questions/${local(3).id}/${local(3).slug}`, headers: { 'accept-language': 'es' } });
    expect(es.body).toContain('Esta pregunta ya tiene respuesta en otro lugar');
  });

  it('lists related links on both threads, and no banner on the original', async () => {
    const original = await t.app.inject({ url: `/questions/${local(1).id}/${local(1).slug}`, headers: EN });
    expect(original.body).toContain('Linked questions');
    expect(original.body).toContain(`href="/questions/${local(5).id}/`);
    expect(original.body).not.toContain('has an answer elsewhere');
    const related = await t.app.inject({ url: `/questions/${local(5).id}/${local(5).slug}` });
    expect(related.body).toContain(`href="/questions/${local(1).id}/`);
  });

  describe('closeAsDuplicate', () => {
    const ask = async (title: string) => {
      const author = await createUser(t.db);
      return askQuestion(t.db, author, { title, body: 'A body long enough to be a real question about the router.', tags: ['router'] }, getSettings(t.db)).id;
    };
    const close = (questionId: number, originalId: number, byUserId: number | null) =>
      t.db.transaction((tx) => closeAsDuplicate(tx, { questionId, originalId, byUserId }));
    const errorOf = (fn: () => unknown): AppError => {
      try {
        fn();
      } catch (error) {
        return error as AppError;
      }
      throw new Error('expected an error');
    };

    it('is for moderators and above (or the system), checked in the service', async () => {
      const [a, b] = [await ask('First question about the router lights'), await ask('Second question about the router lights')];
      const member = await createUser(t.db, 'member');
      const moderator = await createUser(t.db, 'moderator');
      expect(errorOf(() => close(a, b, member.id)).statusCode).toBe(403);
      expect(t.db.select().from(questions).where(eq(questions.id, a)).get()).toMatchObject({ status: 'open', duplicateOfId: null });
      const before = changes();
      expect(close(a, b, moderator.id)).toEqual({ originalId: b, changed: true });
      // The duplicate and its original change what search finds: both logged, in the same transaction.
      expect(changes()).toBe(before + 2);
      expect(close(a, b, moderator.id)).toEqual({ originalId: b, changed: false });
      expect(changes()).toBe(before + 2);
    });

    it('refuses itself, cycles, and missing or deleted originals, writing nothing', async () => {
      const [a, b, c] = [await ask('Router question number one here'), await ask('Router question number two here'), await ask('Router question number three here')];
      const admin = await createUser(t.db, 'admin');
      expect(errorOf(() => close(a, a, null))).toMatchObject({ statusCode: 400, messageKey: 'duplicates.notItself' });
      expect(errorOf(() => close(a, 999_999, null))).toMatchObject({ statusCode: 400, messageKey: 'duplicates.originalMissing' });
      expect(errorOf(() => close(999_999, a, null)).statusCode).toBe(404);
      deleteQuestion(t.db, admin, c);
      expect(errorOf(() => close(a, c, null))).toMatchObject({ statusCode: 400, messageKey: 'duplicates.originalMissing' });
      close(b, a, null);
      const before = changes();
      // a's chain ends at a itself (b is a duplicate of a): closing a as a duplicate of b would be a cycle.
      expect(errorOf(() => close(a, b, null))).toMatchObject({ statusCode: 400, messageKey: 'duplicates.notItself' });
      expect(changes()).toBe(before);
      expect(t.db.select().from(questions).where(eq(questions.id, a)).get()).toMatchObject({ status: 'open', duplicateOfId: null });
    });

    it('never makes chains: a duplicate of a duplicate points to the original, and an original closed takes its duplicates along', async () => {
      const [a, b, c, d] = [await ask('Router chain question alpha'), await ask('Router chain question beta'), await ask('Router chain question gamma'), await ask('Router chain question delta')];
      close(b, a, null);
      expect(close(c, b, null).originalId).toBe(a);
      close(a, d, null);
      for (const id of [a, b, c]) expect(t.db.select().from(questions).where(eq(questions.id, id)).get()!.duplicateOfId).toBe(d);
    });
  });
});

describe('deflection events on a duplicate', () => {
  it('count towards the original thread (views, clicks and answers to "did this solve it?")', async () => {
    const t2 = await buildTestApp();
    try {
      const moderator = await createUser(t2.db, 'moderator');
      const settings = getSettings(t2.db);
      const poster = { id: moderator.id, role: moderator.role, reputation: 1000, createdAt: new Date(0) };
      const original = askQuestion(t2.db, poster, { title: 'The router restarts every night at three', body: 'Every night at three my router restarts by itself.', tags: ['router'] }, settings);
      const duplicate = askQuestion(t2.db, poster, { title: 'Router reboots on its own during the night', body: 'Each night the router reboots without anyone touching it.', tags: ['router'] }, settings);
      t2.db.transaction((tx) => closeAsDuplicate(tx, { questionId: duplicate.id, originalId: original.id, byUserId: moderator.id }));
      const page = await t2.app.inject({ method: 'GET', url: duplicate.url, headers: { 'user-agent': BROWSER_USER_AGENT } });
      expect(page.statusCode).toBe(200);
      t2.app.deflectionEvents.flush();
      const views = t2.db.$client.prepare("select question_id as questionId from deflection_events where kind = 'thread_view'").all() as { questionId: number }[];
      expect(views).toEqual([{ questionId: original.id }]);
    } finally {
      await t2.close();
    }
  });
});
