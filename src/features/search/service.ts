// Owns what the forum does with search results: question facts, snippets and links for pages and the API.
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, questions } from '../../db/schema.ts';
import { excerpt, sanitizedHtmlToText } from '../../lib/markdown.ts';
import { MAX_PAGE_SIZE } from '../../lib/pagination.ts';
import { questionPath, summaryColumns, tagsForQuestions } from '../questions/service.ts';
import type { SearchClient } from './client.ts';
import { getSettings } from '../settings/service.ts';
import type { SearchResult } from './engine.ts';
import { ResultsCache } from './results-cache.ts';
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
  /** Every result matches only part of the query: the page says so and offers to ask. */
  weak?: boolean;
  page: number;
  pageSize: number;
}

export interface SearchQuery {
  q: string;
  /** Only questions in this language. */
  language?: 'es' | 'en';
  /** The visitor's language, ranked higher. */
  preferLanguage?: 'es' | 'en';
  tag?: string;
  answered?: boolean;
  page?: number;
  pageSize?: number;
}

// Answers to the same query, reused while the content is unchanged (results-cache.ts).
const pages = new ResultsCache<SearchPage>();
const suggestions = new ResultsCache<SearchItem[]>();

/** The change the index had applied when it answered, when it answered with these synonyms (else: not to keep). */
const indexed = (result: SearchResult, synonyms: string) => (result.synonyms === synonyms ? result.appliedChangeId : undefined);

// Ranking considers this many hits at most; deeper pages than that are not offered.
const MAX_RANKED = 500;
/** A search result must match at least this share of the query's weight (unknown words included). 0.3 keeps recall@5 of the labelled queries as it was and lifts MRR@10 a little (bench/search-quality.ts); 0.4 lost a Spanish query. */
export const MIN_MATCH_SHARE = 0.3;

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
      // Stored HTML is our own sanitized output: the cheap tag strip is exact for it (sanitize-html again cost more than the query).
      snippet: highlight(sanitizedHtmlToText(row.bodyHtml.slice(0, 6000)), hit.terms, 220),
      tags: tags.get(row.id) ?? [],
      score: row.score,
      answerCount: row.answerCount,
      hasAcceptedAnswer: row.acceptedAnswerId !== null,
      hasOfficialAnswer: official.has(row.id),
      acceptedExcerpt: acceptedHtml ? excerpt(sanitizedHtmlToText(acceptedHtml.slice(0, 3000)), 180) : null,
    });
  }
  return items;
}

/** The search page and API: ranked, filtered, paginated. Any string is a valid query. */
export async function searchQuestions(db: Db, client: SearchClient, query: SearchQuery): Promise<SearchPage> {
  return (await searchQuestionsCurrent(db, client, query)).value;
}

/**
 * The same, saying whether the page reflects every write so far (`current`): the search page lets the shared page
 * cache keep its HTML only then, so that a page made while the index catches up is never served after it has.
 */
export async function searchQuestionsCurrent(db: Db, client: SearchClient, query: SearchQuery): Promise<{ value: SearchPage; current: boolean }> {
  const pageSize = Math.min(Math.max(query.pageSize ?? 20, 1), MAX_PAGE_SIZE);
  const page = Math.max(1, Math.min(query.page ?? 1, Math.ceil(MAX_RANKED / pageSize)));
  const q = query.q.trim();
  if (q === '') return { value: { items: [], total: 0, page, pageSize }, current: true };
  const synonyms = getSettings(db).searchSynonyms;
  const key = JSON.stringify([q, query.tag ?? null, query.answered ?? false, query.language ?? null, query.preferLanguage ?? null, page, pageSize, synonyms]);
  return pages.answer(db, key, async () => {
    const result = await client.search(
      { query: q, tag: query.tag, answered: query.answered, limit: MAX_RANKED, minShare: MIN_MATCH_SHARE, language: query.language, preferLanguage: query.preferLanguage },
      undefined,
      { from: (page - 1) * pageSize, to: page * pageSize },
    );
    return { value: { items: itemsFor(db, result.hits), total: result.total, page, pageSize, weak: result.weak ?? false }, applied: indexed(result, synonyms) };
  });
}

/** Similar questions for the ask form: the typed title (its last word a prefix), answered ones first. */
export async function suggestSimilar(db: Db, client: SearchClient, title: string, limit = 5, preferLanguage?: 'es' | 'en'): Promise<SearchItem[]> {
  if (title.trim().length < 3) return [];
  const synonyms = getSettings(db).searchSynonyms;
  return suggestions.get(db, JSON.stringify([title, limit, preferLanguage ?? null, synonyms]), async () => {
    const result = await client.search({ query: title, prefix: true, limit: 20, preferLanguage }, 1_500);
    const ranked = result.hits.slice(0, 20);
    const items = itemsFor(db, ranked);
    const answeredFirst = [...items].sort(
      (a, b) => Number(b.hasAcceptedAnswer) - Number(a.hasAcceptedAnswer) || Number(b.answerCount > 0) - Number(a.answerCount > 0),
    );
    // Answered first, but only among reasonably relevant hits: keep the top 10 by relevance.
    return { value: answeredFirst.filter((item) => ranked.slice(0, 10).some((h) => h.id === item.id)).slice(0, limit), applied: indexed(result, synonyms) };
  });
}

/** Related questions for a thread page; an unavailable index gives none rather than failing the page. */
export async function relatedQuestions(
  db: Db,
  client: SearchClient,
  question: { id: number; title: string; tags: string[] },
  limit = 5,
  preferLanguage?: 'es' | 'en',
): Promise<SearchItem[]> {
  try {
    const result = await client.search({ query: `${question.title} ${question.tags.join(' ')}`, excludeId: question.id, limit, preferLanguage }, 500);
    return itemsFor(db, result.hits);
  } catch {
    return [];
  }
}
