// Owns the Atom 1.0 feeds: the newest questions, the unanswered ones (all, of a tag, of a language), those of a
// tag, and a thread's answers. Private support cases are another table: no feed reads it.
// Public and signed-out: live posts only, authors by name and profile link (never an e-mail address).
import { and, desc, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import { Feed, type Item } from 'feed';
import type { Db } from '../../db/client.ts';
import { questions, questionTags, tags, users, type Language } from '../../db/schema.ts';
import { escapeHtml } from '../../lib/escape.ts';
import type { I18n } from '../../lib/i18n.ts';
import { getThread, questionPath, tagsForQuestions, type QuestionView } from '../questions/service.ts';
import { NEWEST_FEED_PATH, questionFeedPath, tagFeedPath, UNANSWERED_FEED_PATH, unansweredLanguageFeedPath, unansweredTagFeedPath } from './paths.ts';

/** Entries per list feed (feed readers poll; older entries they already have). */
export const FEED_ENTRIES = 30;

export type ListFeed = { kind: 'newest' } | { kind: 'unanswered'; tag?: string; language?: Language } | { kind: 'tag'; tag: string };

interface Site {
  baseUrl: string;
  siteName: string;
  i18n: I18n;
}

// Characters XML 1.0 cannot carry at all (a post may contain them); a feed with one is not XML.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Text fit for the feed package's CDATA sections: XML characters only, and no `]]>` that would end one. */
const xmlText = (text: string) => text.replace(NOT_XML, '').replaceAll(']]>', ']]&gt;');
/** The feed package writes titles as `type="html"`: a title is text, so it is escaped once as HTML. */
const htmlTitle = (text: string) => xmlText(escapeHtml(text));

const profileUrl = (baseUrl: string, username: string) => `${baseUrl}/users/${encodeURIComponent(username)}`;

function newFeed(site: Site, options: { path: string; page: string; title: string; updated: Date; language: string }): Feed {
  return new Feed({
    id: site.baseUrl + options.path,
    title: xmlText(`${options.title} – ${site.siteName}`),
    link: site.baseUrl + options.page,
    feedLinks: { atom: site.baseUrl + options.path },
    updated: options.updated,
    generator: site.siteName === 'Resuelto' ? 'Resuelto' : `Resuelto (${xmlText(site.siteName)})`,
    language: options.language,
    author: { name: xmlText(site.siteName), link: `${site.baseUrl}/` },
    favicon: `${site.baseUrl}/static/img/favicon.svg`,
  });
}

/** The feed as XML, with the language of its text on the root element (the feed package writes none for Atom). */
function atomXml(feed: Feed, language: string): string {
  return feed.atom1().replace('<feed xmlns="http://www.w3.org/2005/Atom">', `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${language}">`);
}

/** A list feed, or undefined when its tag does not exist. */
export function listFeed(db: Db, site: Site, which: ListFeed): string | undefined {
  const { t } = site.i18n;
  const conditions: SQL[] = [isNull(questions.deletedAt)];
  if (which.kind === 'unanswered') conditions.push(eq(questions.answerCount, 0));
  if (which.kind === 'unanswered' && which.language) conditions.push(eq(questions.language, which.language));
  if ((which.kind === 'tag' || which.kind === 'unanswered') && which.tag !== undefined) {
    const tag = db.select({ id: tags.id }).from(tags).where(eq(tags.name, which.tag)).get();
    if (!tag) return undefined;
    conditions.push(inArray(questions.id, db.select({ id: questionTags.questionId }).from(questionTags).where(eq(questionTags.tagId, tag.id))));
  }
  const rows = db
    .select({
      id: questions.id,
      title: questions.title,
      slug: questions.slug,
      bodyHtml: questions.bodyHtml,
      language: questions.language,
      createdAt: questions.createdAt,
      editedAt: questions.editedAt,
      authorName: users.displayName,
      authorUsername: users.username,
    })
    .from(questions)
    .innerJoin(users, eq(users.id, questions.authorId))
    .where(and(...conditions))
    .orderBy(desc(questions.createdAt), desc(questions.id))
    .limit(FEED_ENTRIES)
    .all();
  const tagMap = tagsForQuestions(db, rows.map((row) => row.id));
  const updatedOf = (row: (typeof rows)[number]) => row.editedAt ?? row.createdAt;
  const updated = rows.reduce((latest, row) => (updatedOf(row) > latest ? updatedOf(row) : latest), new Date(0));
  const [path, page, title] =
    which.kind === 'tag'
      ? [tagFeedPath(which.tag), `/questions?tag=${encodeURIComponent(which.tag)}`, t('feed.tag', { tag: which.tag })]
      : which.kind === 'unanswered' && which.tag !== undefined
        ? [unansweredTagFeedPath(which.tag), `/questions?sort=unanswered&tag=${encodeURIComponent(which.tag)}`, t('feed.unansweredTag', { tag: which.tag })]
        : which.kind === 'unanswered' && which.language
          ? [unansweredLanguageFeedPath(which.language), `/questions?sort=unanswered&lang=${which.language}`, t('feed.unansweredLanguage', { language: t(`language.${which.language}`) })]
          : which.kind === 'unanswered'
            ? [UNANSWERED_FEED_PATH, '/questions?sort=unanswered', t('feed.unanswered')]
        : [NEWEST_FEED_PATH, '/questions', t('feed.newest')];
  const feed = newFeed(site, { path, page, title, updated: rows.length ? updated : new Date(0), language: site.i18n.locale });
  for (const row of rows) {
    const link = site.baseUrl + questionPath(row.id, row.slug);
    feed.addItem({
      title: htmlTitle(row.title),
      id: `${site.baseUrl}/questions/${row.id}`,
      link,
      date: updatedOf(row),
      published: row.createdAt,
      content: xmlText(row.bodyHtml),
      author: [{ name: xmlText(row.authorName), link: profileUrl(site.baseUrl, row.authorUsername) }],
      category: (tagMap.get(row.id) ?? []).map((name) => ({ term: name, name })),
    });
  }
  return atomXml(feed, site.i18n.locale);
}

/** A thread's feed: the question, then its answers (accepted and official ones say so in their titles). */
export function questionFeed(db: Db, site: Site, questionId: number): string {
  const { t } = site.i18n;
  const thread: QuestionView = getThread(db, questionId);
  const threadUrl = site.baseUrl + questionPath(thread.id, thread.slug);
  const entries: (Item & { date: Date })[] = [
    {
      title: htmlTitle(thread.title),
      id: `${site.baseUrl}/questions/${thread.id}`,
      link: threadUrl,
      date: thread.editedAt ?? thread.createdAt,
      published: thread.createdAt,
      content: xmlText(thread.bodyHtml),
      author: [{ name: xmlText(thread.author.displayName), link: profileUrl(site.baseUrl, thread.author.username) }],
      category: thread.tags.map((name) => ({ term: name, name })),
    },
  ];
  for (const answer of [...thread.answers].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id)) {
    const key = answer.accepted ? 'feed.acceptedAnswerTitle' : answer.official ? 'feed.officialAnswerTitle' : 'feed.answerTitle';
    entries.push({
      title: htmlTitle(t(key, { name: answer.author.displayName })),
      id: `${threadUrl}#answer-${answer.id}`,
      link: `${threadUrl}#answer-${answer.id}`,
      date: answer.editedAt ?? answer.createdAt,
      published: answer.createdAt,
      content: xmlText(answer.bodyHtml),
      author: [{ name: xmlText(answer.author.displayName), link: profileUrl(site.baseUrl, answer.author.username) }],
    });
  }
  const updated = entries.reduce((latest, entry) => (entry.date > latest ? entry.date : latest), new Date(0));
  const feed = newFeed(site, {
    path: questionFeedPath(thread.id),
    page: questionPath(thread.id, thread.slug),
    title: t('feed.question', { title: thread.title }),
    updated,
    language: thread.language,
  });
  // Newest first, as feed readers expect.
  for (const entry of entries.reverse()) feed.addItem(entry);
  return atomXml(feed, thread.language);
}
