// Owns the users directory and what members say about themselves (display name, about, location, language).
import { and, asc, count, desc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { users } from '../../db/schema.ts';
import { checkFields, invalid, notFound } from '../../lib/errors.ts';
import { isLocale, type Locale } from '../../lib/i18n.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { MAX_PAGE_SIZE, type Page } from '../../lib/pagination.ts';
import { cleanText } from '../questions/validation.ts';
import { markPagesChanged } from '../tags/service.ts';

export const USER_SORTS = ['reputation', 'newest'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export const DISPLAY_NAME_MAX = 60;
export const ABOUT_MAX = 3000;
export const LOCATION_MAX = 100;

export interface UserSummary {
  username: string;
  displayName: string;
  role: string;
  reputation: number;
  createdAt: Date;
  location: string | null;
}

/** LIKE patterns match the text literally: %, _ and the escape character itself are escaped. */
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A page of the users directory: people who can sign in (not placeholder authors of imports), searchable by name. */
export function listUsers(db: Db, options: { sort?: UserSort; q?: string; page?: number; pageSize?: number } = {}): Page<UserSummary> {
  const page = options.page ?? 1;
  const pageSize = Math.min(options.pageSize ?? 36, MAX_PAGE_SIZE);
  const conditions = [isNull(users.suspendedAt), isNull(users.sourceKey)];
  const q = options.q?.trim().slice(0, 60);
  if (q) {
    const pattern = `%${literal(q.toLowerCase())}%`;
    conditions.push(or(sql`${users.usernameKey} like ${pattern} escape '\\'`, sql`lower(${users.displayName}) like ${pattern} escape '\\'`)!);
  }
  const where = and(...conditions);
  const total = db.select({ n: count() }).from(users).where(where).get()?.n ?? 0;
  const items = db
    .select({ username: users.username, displayName: users.displayName, role: users.role, reputation: users.reputation, createdAt: users.createdAt, location: users.location })
    .from(users)
    .where(where)
    .orderBy(...(options.sort === 'newest' ? [desc(users.createdAt), desc(users.id)] : [desc(users.reputation), asc(users.id)]))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  return { items, page, pageSize, total };
}

export interface ProfileDetails {
  aboutMd: string | null;
  aboutHtml: string | null;
  location: string | null;
  locale: Locale | null;
}

export function profileDetails(db: Db, userId: number): ProfileDetails {
  const row = db.select({ aboutMd: users.aboutMd, aboutHtml: users.aboutHtml, location: users.location, locale: users.locale }).from(users).where(eq(users.id, userId)).get();
  if (!row) throw notFound();
  return { ...row, locale: isLocale(row.locale) ? row.locale : null };
}

export interface ProfileEdit {
  displayName: unknown;
  about: unknown;
  location: unknown;
  /** 'es', 'en', or '' for "as my browser says". */
  locale: unknown;
}

/** Saves what a member says about themselves; every field is checked and all problems are reported together. */
export function updateProfile(db: Db, userId: number, input: ProfileEdit): void {
  const values = checkFields({
    displayName: () => {
      const name = typeof input.displayName === 'string' ? cleanText(input.displayName).replace(/\s+/g, ' ').trim() : '';
      if ([...name].length < 1 || [...name].length > DISPLAY_NAME_MAX || !/[\p{L}\p{N}]/u.test(name)) throw invalid('displayName', 'ux.displayNameInvalid', { max: DISPLAY_NAME_MAX });
      return name;
    },
    about: () => {
      const about = typeof input.about === 'string' ? cleanText(input.about).trim() : '';
      if ([...about].length > ABOUT_MAX) throw invalid('about', 'ux.aboutTooLong', { max: ABOUT_MAX });
      return about;
    },
    location: () => {
      const location = typeof input.location === 'string' ? cleanText(input.location).replace(/\s+/g, ' ').trim() : '';
      if ([...location].length > LOCATION_MAX) throw invalid('location', 'ux.locationTooLong', { max: LOCATION_MAX });
      return location;
    },
    locale: () => {
      if (input.locale === '' || input.locale === undefined) return null;
      if (!isLocale(input.locale)) throw invalid('locale', 'ux.localeInvalid');
      return input.locale;
    },
  });
  const before = db.select({ displayName: users.displayName }).from(users).where(eq(users.id, userId)).get();
  db.update(users)
    .set({
      displayName: values.displayName,
      aboutMd: values.about || null,
      aboutHtml: values.about ? renderMarkdown(values.about) : null,
      location: values.location || null,
      locale: values.locale,
    })
    .where(eq(users.id, userId))
    .run();
  // Kept signed-out pages show display names on posts: they must not keep the old one.
  if (before?.displayName !== values.displayName) markPagesChanged(db);
}
