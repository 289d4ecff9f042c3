// Owns what the forum does with search results: question facts, snippets and links for pages and the API.
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, questions } from '../../db/schema.ts';
import { excerpt, htmlToText } from '../../lib/markdown.ts';
import { MAX_PAGE_SIZE } from '../../lib/pagination.ts';
import { questionPath, summaryColumns, tagsForQuestions } from '../questions/service.ts';
import type { SearchClient } from './client.ts';
import { highlight, type SnippetPart } from './snippet.ts';

export interface SearchItem {
  id: number;
  title: string;
  titleParts: SnippetPart[];
  url: string;
  snippet: SnippetPart[];
  tags: string[];
  score: number;
  answerCount: number;
  hasAcceptedAnswer: boolean;
  hasOfficialAnswer: boolean;
  /** First lines of the accepted answer, for suggestions on the ask page. */
  acceptedExcerpt: string | null;
}

export interface SearchPage {
  items: SearchItem[];
  total: number;
  page: number;
  pageSize: number;
}

export interface SearchQuery {
  q: string;
  tag?: string;
  answered?: boolean;
  page?: number;
  pageSize?: number;
}

// Ranking considers this many hits at most; deeper pages than that are not offered.
const MAX_RANKED = 500;

function itemsFor(db: Db, hits: { id: number; terms: string[] }[]): SearchItem[] {
  if (hits.length === 0) return [];
  const ids = hits.map((h) => h.id);
  const rows = new Map(
    db
      .select(summaryColumns)
      .from(questions)
      .where(and(inArray(questions.id, ids), isNull(questions.deletedAt), isNull(questions.hiddenReason)))
      .all()
      .map((row) => [row.id, row]),
  );
  const acceptedIds = [...rows.values()].map((r) => r.acceptedAnswerId).filter((id): id is number => id !== null);
  const accepted = new Map(
    acceptedIds.length
      ? db.select({ id: answers.id, bodyHtml: answers.bodyHtml }).from(answers).where(inArray(answers.id, acceptedIds)).all().map((a) => [a.id, a.bodyHtml])
      : [],
  );
  const official = new Set(
    db
      .select({ questionId: answers.questionId })
      .from(answers)
      .where(and(inArray(answers.questionId, ids), eq(answers.official, true), isNull(answers.deletedAt)))
      .all()
      .map((a) => a.questionId),
  );
  const tags = tagsForQuestions(db, ids);
  const items: SearchItem[] = [];
  for (const hit of hits) {
    const row = rows.get(hit.id);
    if (!row) continue; // deleted a moment ago
    const acceptedHtml = row.acceptedAnswerId ? accepted.get(row.acceptedAnswerId) : undefined;
    items.push({
      id: row.id,
      title: row.title,
      titleParts: highlight(row.title, hit.terms),
      url: questionPath(row.id, row.slug),
      snippet: highlight(htmlToText(row.bodyHtml.slice(0, 6000)), hit.terms, 220),
      tags: tags.get(row.id) ?? [],
      score: row.score,
      answerCount: row.answerCount,
      hasAcceptedAnswer: row.acceptedAnswerId !== null,
      hasOfficialAnswer: official.has(row.id),
      acceptedExcerpt: acceptedHtml ? excerpt(htmlToText(acceptedHtml.slice(0, 3000)), 180) : null,
    });
  }
  return items;
}

/** The search page and API: ranked, filtered, paginated. Any string is a valid query. */
export async function searchQuestions(db: Db, client: SearchClient, query: SearchQuery): Promise<SearchPage> {
  const pageSize = Math.min(Math.max(query.pageSize ?? 20, 1), MAX_PAGE_SIZE);
  const page = Math.max(1, Math.min(query.page ?? 1, Math.ceil(MAX_RANKED / pageSize)));
  const q = query.q.trim();
  if (q === '') return { items: [], total: 0, page, pageSize };
  const result = await client.search({ query: q, tag: query.tag, answered: query.answered, limit: MAX_RANKED });
  const slice = result.hits.slice((page - 1) * pageSize, page * pageSize);
  return { items: itemsFor(db, slice), total: result.total, page, pageSize };
}

/** Similar questions for the ask form: the typed title (its last word a prefix), answered ones first. */
export async function suggestSimilar(db: Db, client: SearchClient, title: string, limit = 5): Promise<SearchItem[]> {
  if (title.trim().length < 3) return [];
  const result = await client.search({ query: title, prefix: true, limit: 20 }, 1_500);
  const ranked = result.hits.slice(0, 20);
  const items = itemsFor(db, ranked);
  const answeredFirst = [...items].sort(
    (a, b) => Number(b.hasAcceptedAnswer) - Number(a.hasAcceptedAnswer) || Number(b.answerCount > 0) - Number(a.answerCount > 0),
  );
  // Answered first, but only among reasonably relevant hits: keep the top 10 by relevance.
  return answeredFirst.filter((item) => ranked.slice(0, 10).some((h) => h.id === item.id)).slice(0, limit);
}

/** Related questions for a thread page; an unavailable index gives none rather than failing the page. */
export async function relatedQuestions(db: Db, client: SearchClient, question: { id: number; title: string; tags: string[] }, limit = 5): Promise<SearchItem[]> {
  try {
    const result = await client.search({ query: `${question.title} ${question.tags.join(' ')}`, excludeId: question.id, limit }, 500);
    return itemsFor(db, result.hits);
  } catch {
    return [];
  }
}
