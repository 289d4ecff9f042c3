// Owns the search page: works without JavaScript, filters by tag and "answered only", offers to ask.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isLocale } from '../../lib/i18n.ts';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import { requireUser } from '../../plugins/auth.ts';
import { canonicalSlug, questionPath } from '../questions/service.ts';
import { removePhrasing } from './phrasings.ts';
import { searchQuestionsCurrent, type SearchPage } from './service.ts';
import { PageCache } from '../../plugins/page-cache.ts';
import type { SharedPage } from '../../plugins/views.ts';
import { logEvent } from '../deflection/visit.ts';

// Any text a person can type is a valid query (API.md): no length limit here, it is cut below; a repeated
// parameter (?q=a&q=b) uses the first value.
const Text = Type.Union([Type.String(), Type.Array(Type.String())]);
export const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export const SearchQuery = Type.Object({
  q: Type.Optional(Text),
  tag: Type.Optional(Text),
  answered: Type.Optional(Text),
  page: Type.Optional(Text),
  lang: Type.Optional(Text),
});

type RawQuery = { q?: string | string[]; tag?: string | string[]; answered?: string | string[]; page?: string | string[]; lang?: string | string[] };

export function parseSearchQuery(query: RawQuery) {
  const answered = first(query.answered);
  return {
    q: (first(query.q) ?? '').slice(0, 2_000),
    tag: first(query.tag)?.trim().toLowerCase().slice(0, 100) || undefined,
    answered: answered === 'true' || answered === 'on' || answered === '1',
    page: pageNumber(first(query.page)?.slice(0, 10)),
    language: (() => {
      const lang = first(query.lang);
      return isLocale(lang) ? lang : undefined;
    })(),
  };
}

/**
 * The results part of the page (views/search/results-list.eta), rendered once per kept answer (the results cache
 * gives the same object while the content is unchanged), language and query text: members' pages, which are
 * their own, and pages rendered while the shared page cache cannot keep them reuse it. It holds no CSRF token.
 */
const lists = new WeakMap<SearchPage, Map<string, string>>();
const MAX_LISTS_PER_ANSWER = 20;

function keptList(results: SearchPage | null, key: string, render: () => string): string {
  if (!results) return render();
  let kept = lists.get(results);
  if (!kept) lists.set(results, (kept = new Map()));
  let html = kept.get(key);
  if (html === undefined) {
    html = render();
    if (kept.size < MAX_LISTS_PER_ANSWER) kept.set(key, html);
  }
  return html;
}

/** A search answer made while the index was catching up with a write: not a page to keep for all. */
class NotCurrent extends Error {}

export default async function searchPages(app: FastifyInstance) {
  app.get('/search', { schema: { querystring: SearchQuery } }, async (request, reply) => {
    const query = parseSearchQuery(request.query as RawQuery);
    const { t } = request.i18n;
    const hasQuery = query.q.trim() !== '';
    const search = async (): Promise<{ value: SearchPage | null; current: boolean }> =>
      hasQuery ? searchQuestionsCurrent(app.db, app.searchIndex, { ...query, preferLanguage: request.i18n.locale }) : { value: null, current: true };
    const params = new URLSearchParams({ q: query.q });
    if (query.tag) params.set('tag', query.tag);
    if (query.answered) params.set('answered', 'true');
    if (query.language) params.set('lang', query.language);
    const view = (results: SearchPage | null): SharedPage => ({
      template: 'search/results',
      data: {
        query: query.q,
        tag: query.tag,
        answered: query.answered,
        language: query.language,
        results,
        pages: results ? pageCount(results.total, results.pageSize) : 0,
        base: `/search?${params}`,
        keptList: (render: () => string) => keptList(results, `${request.i18n.locale}\0${query.q}\0${params}`, render),
      },
      options: { title: hasQuery ? t('search.resultsTitle', { query: query.q.trim().slice(0, 80) }) : t('search.title'), noindex: true, canonicalPath: '/search' },
    });
    let { value: results, current } = await search();
    // Every visitor's first-page search is an event, whether the page was rendered or kept (onServe).
    const logSearch = (visitor: FastifyRequest) => {
      if (results && query.page === 1) logEvent(app, visitor, 'search', { query: query.q, resultCount: results.total });
    };
    // Signed-out visitors see the same page for the same URL and language (results do not depend on who asks):
    // the shared page cache keeps it, CSRF token spliced in and gzipped once, until the next write. Only a page
    // made from results that reflect every write so far: while the index catches up (a second or two after a
    // write) each visitor gets a page of their own, so a kept page is never staler than the index.
    if (current && PageCache.shareable(request)) {
      try {
        return await reply.sharedPage(
          async () => {
            // Asked again inside the page cache's rendering (it notes the content version first): a write that came
            // in since the answer above makes it not current, and the page is then this visitor's own (below).
            const again = await search();
            if (!again.current) throw new NotCurrent();
            results = again.value;
            return view(results);
          },
          { onServe: logSearch },
        );
      } catch (error) {
        if (!(error instanceof NotCurrent)) throw error;
      }
    } else logSearch(request);
    const page = view(results);
    return reply.page(page.template, page.data, page.options);
  });

  // Staff remove a learned phrasing from the thread's staff section (phrasings.ts checks the role).
  app.post(
    '/questions/:id/phrasings/:phrasingId/remove',
    {
      schema: {
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }), phrasingId: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) }),
        body: Type.Object({ _csrf: Type.Optional(Type.String()) }),
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { id, phrasingId } = request.params as { id: number; phrasingId: number };
      removePhrasing(app.db, user.id, id, phrasingId);
      const slug = canonicalSlug(app.db, id);
      return reply.redirect(slug === undefined ? '/questions' : `${questionPath(id, slug)}#phrasings`, 303);
    },
  );
}
