// Owns the question pages: lists, tags, asking (with a no-JavaScript preview), the thread, editing, history.
import { isFollowingTag } from '../notifications/follows.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { handleForm } from '../../lib/forms.ts';
import { isLocale } from '../../lib/i18n.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import { requireUser } from '../../plugins/auth.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { revisionHistory } from '../revisions/service.ts';
import { PRIVILEGES, privilegeThreshold } from '../votes/rules.ts';
import { askQuestion, canEdit, canonicalSlug, deleteQuestion, editQuestion, getThread, listQuestions, listTags, questionGone, questionPath, SORTS, type Sort } from './service.ts';
import { renderThread, threadPage } from './thread-page.ts';
import { sendMemberThread } from './member-thread.ts';
import { suggestSimilar } from '../search/service.ts';
import { inSuggestionHoldout, logEvent } from '../deflection/visit.ts';
import { BODY_MAX, cleanText, FORM_BODY_LIMIT, FORM_TEXT_MAX, TITLE_MAX } from './validation.ts';
import { NEWEST_FEED_PATH, tagFeedPath, UNANSWERED_FEED_PATH, unansweredLanguageFeedPath, unansweredTagFeedPath } from '../feeds/paths.ts';
import { webSite } from '../feeds/structured-data.ts';
import { checkHoneypot } from '../moderation/new-members.ts';
import { deletePost } from '../moderation/actions.ts';
import { atLeast } from '../accounts/roles.ts';
import type { ViewCounter } from './view-counter.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });
const ListQuery = Type.Object({
  // Any text: an unknown sort (`?sort=foo`, an old link) falls back to the default instead of a 400.
  sort: Type.Optional(Type.String({ maxLength: 50 })),
  tag: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
  lang: Type.Optional(Type.String({ maxLength: 10 })),
});
const AskBody = Type.Object({
  title: Type.String({ maxLength: 2000 }),
  body: Type.String({ maxLength: FORM_TEXT_MAX }),
  tags: Type.String({ maxLength: 2000 }),
  preview: Type.Optional(Type.String({ maxLength: 10 })),
  _csrf: Type.Optional(Type.String()),
  /** The honeypot (features/moderation/new-members.ts): people leave it empty. */
  website: Type.Optional(Type.String({ maxLength: 2000 })),
});
const EditBody = Type.Object({
  title: Type.String({ maxLength: 2000 }),
  body: Type.String({ maxLength: FORM_TEXT_MAX }),
  tags: Type.String({ maxLength: 2000 }),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
  preview: Type.Optional(Type.String({ maxLength: 10 })),
  _csrf: Type.Optional(Type.String()),
});

/** The canonical address of a list: the tag, a sort other than the default and a page after the first. */
export function listPath({ sort, tag, language, page }: { sort: Sort; tag?: string; language?: string; page: number }): string {
  const params = new URLSearchParams();
  if (sort !== 'newest') params.set('sort', sort);
  if (tag) params.set('tag', tag);
  if (language) params.set('lang', language);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/questions?${query}` : '/questions';
}

/** Where an anonymous visitor goes to sign in before coming back to `path`. */
export function signInFirst(reply: FastifyReply, path: string): FastifyReply {
  return reply.redirect(`/signin?next=${encodeURIComponent(path)}`, 303);
}

/** A deleted thread: 410 Gone tells search engines to drop it at once (a 404 may be retried for weeks). */
export function goneThread(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { t } = request.i18n;
  return reply.page('errors/error', { heading: t('gone.title'), message: t('gone.message'), status: 410 }, { status: 410, title: t('gone.title'), noindex: true });
}

export default async function questionPages(app: FastifyInstance) {
  // Created, started and stopped by app.ts, so that every feature rendering a thread sees the same counter.
  const viewCounter = app.viewCounter!;

  app.get('/questions', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const query = request.query as { sort?: string; tag?: string; page?: string; lang?: string };
    // The language filter: a language code, else every language (an unknown value is ignored, not an error).
    const language = isLocale(query.lang) ? query.lang : undefined;
    const sort: Sort = (SORTS as readonly string[]).includes(query.sort ?? '') ? (query.sort as Sort) : 'newest';
    const tag = query.tag?.trim().toLowerCase() || undefined;
    const { t } = request.i18n;
    // Atom feeds of the list (in <head> and as visible links): the list's own, then the unanswered ones of its
    // tag and its language, for members who like to answer.
    const feeds = [
      ...(tag ? [{ title: t('feed.tag', { tag }), href: tagFeedPath(tag) }] : sort === 'unanswered' ? [{ title: t('feed.unanswered'), href: UNANSWERED_FEED_PATH }] : [{ title: t('feed.newest'), href: NEWEST_FEED_PATH }]),
      ...(tag ? [{ title: t('feed.unansweredTag', { tag }), href: unansweredTagFeedPath(tag) }] : []),
      ...(language && (sort === 'unanswered' || tag) ? [{ title: t('feed.unansweredLanguage', { language: t(`language.${language}`) }), href: unansweredLanguageFeedPath(language) }] : []),
      ...(tag && sort === 'unanswered' ? [{ title: t('feed.unanswered'), href: UNANSWERED_FEED_PATH }] : []),
    ];
    return reply.sharedPage(() => {
      const list = listQuestions(app.db, { sort, tag, language, page: pageNumber(query.page), pageSize: 20 });
      return {
        template: 'questions/list',
        data: {
          list,
          sort,
          tag,
          language,
          sorts: SORTS,
          pages: pageCount(list.total, list.pageSize),
          base: listPath({ sort, tag, language, page: 1 }),
          followingTag: !!request.user && !!tag && isFollowingTag(app.db, request.user.id, tag),
          feeds,
        },
        options: {
          title: tag ? t('questions.taggedTitle', { tag }) : t('questions.title'),
          noindex: list.page > 1 && list.items.length === 0,
          canonicalPath: listPath({ sort, tag, language, page: list.page }),
          description: tag ? t('seo.tagDescription', { tag }) : sort === 'unanswered' ? t('seo.unansweredDescription') : t('seo.questionsDescription'),
          jsonLd: [webSite(app.config.baseUrl, app.settings().siteName || t('site.name'), request.i18n.locale)],
          feeds,
        },
        // The questions it shows; a first page also any question that may come to its top (of its tag, if any).
        dependsOn: { questions: list.items.map((item) => item.id), front: list.page === 1 && !tag, tags: list.page === 1 && tag ? [tag] : [] },
      };
    });
  });

  app.get('/tags', { schema: { querystring: Type.Object({ page: Type.Optional(Type.String({ maxLength: 10 })) }) } }, async (request, reply) => {
    return reply.sharedPage(() => {
      const list = listTags(app.db, { page: pageNumber((request.query as { page?: string }).page) });
      const { t } = request.i18n;
      return {
        template: 'questions/tags',
        data: { list, pages: pageCount(list.total, list.pageSize) },
        options: {
          title: t('tags.title'),
          canonicalPath: list.page > 1 ? `/tags?page=${list.page}` : '/tags',
          description: t('seo.tagsDescription'),
          jsonLd: [webSite(app.config.baseUrl, app.settings().siteName || t('site.name'), request.i18n.locale)],
        },
      };
    });
  });

  /**
   * "Search before you ask": step 1 asks only for the title; step 2 shows questions like it (answered
   * ones first) above the rest of the form. With JavaScript, step 1 also shows them while typing.
   */
  const askForm = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors: Record<string, string>, status = 200, previewHtml?: string) => {
    const step = values.title?.trim() || values.body !== undefined ? 2 : 1;
    const holdout = inSuggestionHoldout(app, request);
    const suggestions = step === 2 && !holdout ? await suggestSimilar(app.db, app.searchIndex, values.title, 5, request.i18n.locale).catch(() => []) : [];
    if (suggestions.length > 0) logEvent(app, request, 'suggestions_shown', { query: values.title });
    return reply.page('questions/ask', { values, errors, previewHtml, titleMax: TITLE_MAX, bodyMax: BODY_MAX, step, suggestions }, { status, title: request.i18n.t('ask.title'), noindex: true });
  };

  app.get('/questions/ask', { schema: { querystring: Type.Object({ title: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (request, reply) => {
    const title = (request.query as { title?: string }).title?.slice(0, TITLE_MAX * 2) ?? '';
    // The ask form was opened: with a holdout running, note which group this visitor is in.
    const percent = app.settings().holdoutPercent;
    logEvent(app, request, 'ask_started', { variant: percent > 0 ? (inSuggestionHoldout(app, request) ? 'hidden' : 'shown') : null });
    if (!request.user) return signInFirst(reply, title ? `/questions/ask?title=${encodeURIComponent(title)}` : '/questions/ask');
    return askForm(request, reply, { title }, {});
  });

  app.post('/questions/ask', { schema: { body: AskBody }, bodyLimit: FORM_BODY_LIMIT, ...limitAction(app, 'posting') }, async (request, reply) => {
    const user = requireUser(request);
    const body = request.body as { title: string; body: string; tags: string; preview?: string };
    const values = { title: body.title, body: body.body, tags: body.tags };
    if (body.preview) return askForm(request, reply, values, {}, 200, renderMarkdown(body.body));
    return handleForm(
      request,
      reply,
      async () => {
        checkHoneypot((request.body as { website?: string }).website);
        const { id, url } = askQuestion(app.db, user, { title: body.title, body: body.body, tags: body.tags }, app.settings());
        logEvent(app, request, 'question_posted', { questionId: id });
        return reply.redirect(url, 303);
      },
      (errors, status) => askForm(request, reply, values, errors, status),
    );
  });

  app.get(
    '/questions/:id/:slug?',
    { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }), slug: Type.Optional(Type.String({ maxLength: 300 })) }) } },
    async (request, reply) => {
      const { id, slug } = request.params as { id: number; slug?: string };
      const canonical = canonicalSlug(app.db, id);
      if (canonical === undefined) {
        if (questionGone(app.db, id)) return goneThread(request, reply);
        return renderThread(app, request, reply, id); // 404 page
      }
      if (slug !== canonical) {
        const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
        return reply.redirect(questionPath(id, canonical) + query, 301);
      }
      const hooks = {
        // Every visitor's view is counted and logged, also when the page comes from the shared page cache.
        onServe: (visitor: FastifyRequest) => {
          viewCounter.count(id, visitor.user ? `u${visitor.user.id}` : `${visitor.ip}|${visitor.headers['user-agent'] ?? ''}`, visitor.headers['user-agent']);
          logEvent(app, visitor, 'thread_view', { questionId: id });
        },
      };
      // A member's page: the kept skeleton with their parts filled in (member-thread.ts), else rendered in full.
      if (request.user) {
        if (await sendMemberThread(app, request, reply, id, hooks)) return reply;
      }
      return reply.sharedPage(() => threadPage(app, request, id), hooks);
    },
  );

  const editForm = (request: FastifyRequest, reply: FastifyReply, id: number, values: Record<string, string>, errors: Record<string, string>, status = 200, previewHtml?: string) =>
    reply.page('questions/edit', { id, values, errors, previewHtml, bodyMax: BODY_MAX, cancelPath: questionPath(id, canonicalSlug(app.db, id) ?? 'question') }, { status, title: request.i18n.t('edit.questionTitle'), noindex: true });

  app.get('/questions/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params as { id: number };
    if (!request.user) return signInFirst(reply, `/questions/${id}/edit`);
    const thread = getThread(app.db, id);
    if (!canEdit(request.user, thread.author.id, app.settings())) return reply.callNotFound();
    return editForm(request, reply, id, { title: thread.title, body: thread.bodyMd, tags: thread.tags.join(' ') }, {});
  });

  app.post('/questions/:id/edit', { schema: { params: IdParams, body: EditBody }, bodyLimit: FORM_BODY_LIMIT, ...limitAction(app, 'posting') }, async (request, reply) => {
    const user = requireUser(request);
    const { id } = request.params as { id: number };
    const body = request.body as { title: string; body: string; tags: string; comment?: string; preview?: string };
    const values = { title: body.title, body: body.body, tags: body.tags, comment: body.comment ?? '' };
    if (body.preview) return editForm(request, reply, id, values, {}, 200, renderMarkdown(cleanText(body.body).slice(0, BODY_MAX)));
    return handleForm(
      request,
      reply,
      async () => {
        editQuestion(app.db, user, id, body, app.settings());
        return reply.redirect(questionPath(id, canonicalSlug(app.db, id)!), 303);
      },
      (errors, status) => editForm(request, reply, id, { title: body.title, body: body.body, tags: body.tags, comment: body.comment ?? '' }, errors, status),
    );
  });

  app.post('/questions/:id/delete', { schema: { params: IdParams, body: Type.Object({ _csrf: Type.Optional(Type.String()) }) } }, async (request, reply) => {
    const user = requireUser(request);
    const { id } = request.params as { id: number };
    // A moderator deleting someone else's question is a moderation action: logged, its reputation reversed.
    const authorId = atLeast(user.role, 'moderator') ? getThread(app.db, id).author.id : user.id;
    if (authorId !== user.id) deletePost(app.db, user.id, 'question', id, null, app.settings());
    else deleteQuestion(app.db, user, id);
    return reply.redirect('/questions', 303);
  });

  app.get(
    '/posts/:type/:id/revisions',
    { schema: { params: Type.Object({ type: Type.Union([Type.Literal('question'), Type.Literal('answer')]), id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) }) } },
    async (request, reply) => {
      const { type, id } = request.params as { type: 'question' | 'answer'; id: number };
      const history = revisionHistory(app.db, type, id);
      const { t } = request.i18n;
      const title = type === 'question' ? t('revisions.title', { title: history.question.title }) : t('revisions.answerTitle', { title: history.question.title });
      return reply.page('questions/revisions', { history, heading: title, threadPath: questionPath(history.question.id, history.question.slug) }, { title, noindex: true });
    },
  );

  app.get('/help/reputation', async (request, reply) => {
    const settings = app.settings();
    const privileges = PRIVILEGES.map(({ privilege }) => ({ privilege, reputation: privilegeThreshold(settings, privilege) }));
    return reply.page('questions/help-reputation', { settings, privileges }, { title: request.i18n.t('help.title') });
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    viewCounter?: ViewCounter;
  }
}
