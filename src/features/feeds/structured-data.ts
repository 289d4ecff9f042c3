// Owns what pages tell search engines beyond their HTML: schema.org JSON-LD (QAPage on answered threads,
// WebSite with a SearchAction on the home page and lists) and the page description, from the thread's text.
import { excerpt, sanitizedHtmlToText } from '../../lib/markdown.ts';
import type { AnswerView, AuthorView, QuestionView } from '../questions/service.ts';

export type JsonLd = Record<string, unknown>;

/**
 * A JSON-LD document safe inside `<script type="application/ld+json">`: no post text can close the element
 * or open a comment (`<`, `>` and `&` become JSON escapes, which parse back to the same text), and the two
 * line separators JavaScript once refused are escaped too.
 */
export function jsonLdScriptText(document: JsonLd): string {
  return JSON.stringify(document).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The first sentences of a text, at most `max` characters (cut at a sentence end when one is near). */
export function firstSentences(text: string, max = 160): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('? '), cut.lastIndexOf('! '));
  if (end > max * 0.5) return cut.slice(0, end + 1);
  return excerpt(clean, max - 1);
}

/** The meta description of a thread: the question's first sentences (its title when the body says little). */
export function threadDescription(thread: Pick<QuestionView, 'title' | 'bodyHtml'>): string {
  const text = sanitizedHtmlToText(thread.bodyHtml);
  return firstSentences(text.length >= 40 ? text : `${thread.title}. ${text}`.trim());
}

const person = (author: AuthorView, baseUrl: string) => ({
  '@type': 'Person',
  name: author.displayName,
  url: `${baseUrl}/users/${encodeURIComponent(author.username)}`,
});

function answerLd(answer: AnswerView, threadUrl: string, baseUrl: string): JsonLd {
  return {
    '@type': 'Answer',
    text: sanitizedHtmlToText(answer.bodyHtml),
    upvoteCount: answer.score,
    url: `${threadUrl}#answer-${answer.id}`,
    dateCreated: answer.createdAt.toISOString(),
    ...(answer.editedAt ? { dateModified: answer.editedAt.toISOString() } : {}),
    author: person(answer.author, baseUrl),
  };
}

/**
 * schema.org QAPage for a thread with at least one answer (none otherwise: search engines want a question
 * with answers), as Google documents it. The accepted answer and official (staff) answers are the
 * `acceptedAnswer`s — the forum vouches for them; the rest are `suggestedAnswer`s.
 */
export function qaPage(thread: QuestionView, threadUrl: string, baseUrl: string): JsonLd | undefined {
  if (thread.answers.length === 0) return undefined;
  const vouched = thread.answers.filter((a) => a.accepted || a.official);
  const others = thread.answers.filter((a) => !a.accepted && !a.official);
  const accepted = vouched.map((a) => answerLd(a, threadUrl, baseUrl));
  return {
    '@context': 'https://schema.org',
    '@type': 'QAPage',
    inLanguage: thread.language,
    mainEntity: {
      '@type': 'Question',
      name: thread.title,
      text: sanitizedHtmlToText(thread.bodyHtml),
      answerCount: thread.answers.length,
      upvoteCount: thread.score,
      dateCreated: thread.createdAt.toISOString(),
      ...(thread.editedAt ? { dateModified: thread.editedAt.toISOString() } : {}),
      url: threadUrl,
      author: person(thread.author, baseUrl),
      ...(accepted.length === 1 ? { acceptedAnswer: accepted[0] } : accepted.length > 1 ? { acceptedAnswer: accepted } : {}),
      ...(others.length > 0 ? { suggestedAnswer: others.map((a) => answerLd(a, threadUrl, baseUrl)) } : {}),
    },
  };
}

/** The site and its search box (Google's sitelinks search box reads the SearchAction). */
export function webSite(baseUrl: string, siteName: string, language: string): JsonLd {
  return {
    '@context': 'https://schema.org',
    '@type': 'WebSite',
    name: siteName,
    url: `${baseUrl}/`,
    inLanguage: language,
    potentialAction: {
      '@type': 'SearchAction',
      target: { '@type': 'EntryPoint', urlTemplate: `${baseUrl}/search?q={search_term_string}` },
      'query-input': 'required name=search_term_string',
    },
  };
}
