// Owns a staff member's private Atom feed of desk alerts: the token (created and revoked on /settings/staff-feed,
// stored hashed) and the feed itself — unsolved escalations and questions close to or past the first-response
// target. Nothing private of a case goes in it: the question's title and where to look.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { Feed } from 'feed';
import type { Db } from '../../db/client.ts';
import { deskAlerts, questions, staffFeedTokens, users } from '../../db/schema.ts';
import { escapeHtml } from '../../lib/escape.ts';
import type { I18n } from '../../lib/i18n.ts';
import { atLeast } from '../accounts/roles.ts';
import { listCases } from '../cases/service.ts';
import { questionPath } from '../questions/service.ts';
import type { Settings } from '../settings/definitions.ts';
import { deskList, type DeskViewer } from './service.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const FEED_ENTRIES = 50;

export const staffFeedPath = (token: string) => `/staff/feed/${token}.atom`;

/** Makes a new token for a staff member (the old one stops working); the token is shown once and never stored. */
export function createStaffFeedToken(db: Db, viewer: DeskViewer): string {
  if (!atLeast(viewer.role, 'staff')) throw new Error('staff only');
  const secret = randomBytes(24).toString('base64url');
  db.insert(staffFeedTokens)
    .values({ userId: viewer.id, secretHash: sha256(secret), createdAt: new Date() })
    .onConflictDoUpdate({ target: staffFeedTokens.userId, set: { secretHash: sha256(secret), createdAt: new Date() } })
    .run();
  return `${viewer.id}.${secret}`;
}

export function revokeStaffFeedToken(db: Db, userId: number): void {
  db.delete(staffFeedTokens).where(eq(staffFeedTokens.userId, userId)).run();
}

export function hasStaffFeedToken(db: Db, userId: number): boolean {
  return !!db.select({ userId: staffFeedTokens.userId }).from(staffFeedTokens).where(eq(staffFeedTokens.userId, userId)).get();
}

/** The staff member a feed token belongs to, if it is live and they are still staff; else undefined. */
export function staffForFeedToken(db: Db, token: string): DeskViewer | undefined {
  const match = /^(\d{1,10})\.([A-Za-z0-9_-]{20,64})$/.exec(token);
  if (!match) return undefined;
  const row = db
    .select({ id: users.id, role: users.role, hash: staffFeedTokens.secretHash, suspendedAt: users.suspendedAt })
    .from(staffFeedTokens)
    .innerJoin(users, eq(users.id, staffFeedTokens.userId))
    .where(eq(staffFeedTokens.userId, Number(match[1])))
    .get();
  if (!row || row.suspendedAt || !atLeast(row.role, 'staff')) return undefined;
  const given = Buffer.from(sha256(match[2]), 'hex');
  const kept = Buffer.from(row.hash, 'hex');
  if (given.length !== kept.length || !timingSafeEqual(given, kept)) return undefined;
  return { id: row.id, role: row.role };
}

/** The feed: unsolved escalations and questions at or past 75 % of the target, newest event first. */
export function staffFeedXml(db: Db, viewer: DeskViewer, settings: Settings, site: { baseUrl: string; siteName: string; i18n: I18n; selfPath: string }, now = new Date()): string {
  const { t } = site.i18n;
  const entries: { id: string; title: string; link: string; date: Date }[] = [];
  for (const c of listCases(db, viewer, { status: 'unsolved', pageSize: FEED_ENTRIES }).items) {
    entries.push({ id: `${site.baseUrl}/support/cases/${c.id}#escalated`, title: t('desk.feed.escalated', { title: c.title }), link: `${site.baseUrl}/support/cases/${c.id}`, date: c.createdAt });
  }
  // The alerts raised by the loop (breaches.ts), dated when they were raised…
  const recorded = db
    .select({ id: questions.id, title: questions.title, slug: questions.slug, stage: deskAlerts.stage, alertedAt: deskAlerts.alertedAt })
    .from(deskAlerts)
    .innerJoin(questions, eq(questions.id, deskAlerts.questionId))
    .where(and(eq(questions.answerCount, 0), isNull(questions.deletedAt), eq(questions.status, 'open')))
    .orderBy(desc(deskAlerts.alertedAt))
    .limit(FEED_ENTRIES)
    .all();
  for (const a of recorded) {
    const path = questionPath(a.id, a.slug);
    entries.push({ id: `${site.baseUrl}${path}#${a.stage}`, title: t(a.stage === 'breached' ? 'desk.feed.breached' : 'desk.feed.close', { title: a.title }), link: site.baseUrl + path, date: a.alertedAt });
  }
  // …and the oldest waiting questions the loop has not reached yet (it passes once a minute).
  const seen = new Set(entries.map((e) => e.id));
  for (const q of deskList(db, viewer, settings, { noAnswer: true, pageSize: 100 }, now).items) {
    if (!q.clock || q.clock.state === 'ok') continue;
    const breached = q.clock.state === 'red';
    if (seen.has(`${site.baseUrl}${q.path}#${breached ? 'breached' : 'close'}`)) continue;
    entries.push({ id: `${site.baseUrl}${q.path}#${breached ? 'breached' : 'close'}`, title: t(breached ? 'desk.feed.breached' : 'desk.feed.close', { title: q.title }), link: site.baseUrl + q.path, date: q.createdAt });
  }
  entries.sort((a, b) => b.date.getTime() - a.date.getTime());
  const shown = entries.slice(0, FEED_ENTRIES);
  const feed = new Feed({
    id: `${site.baseUrl}/staff/desk`,
    title: `${t('desk.feed.title')} – ${site.siteName}`,
    link: `${site.baseUrl}/staff/desk`,
    // The self link is the feed's own address; the token in it is what a reader already holds.
    feedLinks: { atom: site.baseUrl + site.selfPath },
    updated: shown[0]?.date ?? now,
    language: site.i18n.locale,
    author: { name: site.siteName, link: `${site.baseUrl}/` },
    copyright: site.siteName,
  });
  for (const entry of shown) feed.addItem({ id: entry.id, title: escapeHtml(entry.title), link: entry.link, date: entry.date, published: entry.date });
  return feed.atom1().replace('<feed xmlns="http://www.w3.org/2005/Atom">', `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${site.i18n.locale}">`);
}
