// Owns the thread page's view model: the thread plus what this viewer may do on it, and any form errors.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { atLeast } from '../accounts/roles.ts';
import { mayComment } from '../comments/service.ts';
import { PHRASING_CONFIRMATIONS } from '../search/documents.ts';
import { phrasingsOf } from '../search/phrasings.ts';
import { hasPrivilege, privilegeThreshold } from '../votes/rules.ts';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import { isFollowingQuestion } from '../notifications/follows.ts';
import { duplicateNotice, linkedQuestions } from './duplicates.ts';
import { CLOSE_REASONS, threadModeration } from '../moderation/close.ts';
import { myFlags } from '../moderation/flags.ts';
import { visibleThread } from '../moderation/visibility.ts';
import { canEdit, getThread, questionPath, type QuestionView } from './service.ts';
import type { ViewCounter } from './view-counter.ts';
import { BODY_MAX } from './validation.ts';
import type { SharedPage } from '../../plugins/views.ts';
import { detectLanguage } from '../../lib/language.ts';
import { htmlToText } from '../../lib/markdown.ts';
import { qaPage, threadDescription } from '../feeds/structured-data.ts';
import { questionFeedPath } from '../feeds/paths.ts';
import { canEscalate, hasUnsolvedCase, unsolvedCaseFor } from '../cases/service.ts';
import { assigneeOf } from '../desk/service.ts';

export interface ThreadFormState {
  /** Errors by form: `answer`, `comment-question-12`, `comment-answer-7`, `vote`, `accept`. */
  errors?: Record<string, string>;
  /** What the viewer had typed, by the same form names. */
  values?: Record<string, string>;
  /** The rendered Markdown of the answer being written (its form's Preview button). */
  answerPreview?: string;
}

/** How a thread's answers can be ordered; the accepted answer, then official ones, always come first. */
export const ANSWER_SORTS = ['votes', 'oldest', 'newest'] as const;
export type AnswerSort = (typeof ANSWER_SORTS)[number];
/** Answers per page of a thread: a long thread is numbered pages, not one endless page. */
export const ANSWERS_PER_PAGE = 30;

/** The answer order a query asks for; anything unknown (`?answers=foo`) is the default, not an error. */
export function answerSort(raw: unknown): AnswerSort {
  return (ANSWER_SORTS as readonly unknown[]).includes(raw) ? (raw as AnswerSort) : 'votes';
}

export function sortAnswers(list: QuestionView['answers'], sort: AnswerSort): QuestionView['answers'] {
  const byTime = (a: { createdAt: Date; id: number }, b: { createdAt: Date; id: number }) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id;
  return [...list].sort(
    (a, b) =>
      Number(b.accepted) - Number(a.accepted) ||
      Number(b.official) - Number(a.official) ||
      (sort === 'votes' ? b.score - a.score || byTime(a, b) : sort === 'oldest' ? byTime(a, b) : byTime(b, a)),
  );
}

export function threadPermissions(app: FastifyInstance, request: FastifyRequest, thread: QuestionView) {
  const user = request.user;
  const settings = app.settings();
  const reputationFor = (privilege: Parameters<typeof privilegeThreshold>[1]) => privilegeThreshold(settings, privilege);
  const canAccept = !!user && (user.id === thread.author.id || atLeast(user.role, 'moderator'));
  const answerAuthors = new Map(thread.answers.map((answer) => [answer.id, answer.author.id]));
  return {
    signedIn: !!user,
    canVoteUp: !!user && hasPrivilege(user, 'voteUp', settings),
    canVoteDown: !!user && hasPrivilege(user, 'voteDown', settings),
    canAccept,
    canMarkOfficial: atLeast(user?.role, 'staff'),
    canModerate: atLeast(user?.role, 'moderator'),
    canCloseVote: !!user && hasPrivilege(user, 'closeVote', settings),
    canPin: atLeast(user?.role, 'staff'),
    canFlag: (authorId: number) => !!user && user.id !== authorId && hasPrivilege(user, 'flag', settings),
    canEditPost: (authorId: number) => !!user && canEdit(user, authorId, settings),
    // From the thread already read: no query per post.
    canCommentOn: (postType: 'question' | 'answer', postId: number) => {
      if (!user) return false;
      const authorId = postType === 'question' ? (postId === thread.id ? thread.author.id : undefined) : answerAuthors.get(postId);
      return authorId !== undefined && mayComment(user, settings, { postType, authorId }, thread.author.id);
    },
    isOwn: (authorId: number) => user?.id === authorId,
    // What a locked control says it needs (the privilege walls are shown, with how to get past them).
    voteUpReputation: reputationFor('voteUp'),
    voteDownReputation: reputationFor('voteDown'),
    commentReputation: reputationFor('commentEverywhere'),
    following: !!user && isFollowingQuestion(app.db, user.id, thread.id),
  };
}

/** The thread page's template and view model for this viewer. */
export async function threadPage(
  app: FastifyInstance & { viewCounter?: ViewCounter },
  request: FastifyRequest,
  questionId: number,
  state: ThreadFormState = {},
  status = 200,
): Promise<SharedPage> {
  const thread = visibleThread(getThread(app.db, questionId, request.user?.id), request.user);
  const pendingViews = app.viewCounter?.pendingFor(questionId) ?? 0;
  // The view count changes with every new visitor, not with the content: a hole of the kept page, worked
  // out for each answer from the count now and the views counted since.
  const viewCount = thread.viewCount + pendingViews;
  const countedThen = app.viewCounter?.countedFor(questionId) ?? 0;
  const { t } = request.i18n;
  let shown = { count: -1, text: '' };
  const views = () => {
    const count = viewCount + (app.viewCounter?.countedFor(questionId) ?? 0) - countedThen;
    if (count !== shown.count) shown = { count, text: t('questions.views', { count }) };
    return shown.text;
  };
  // Never waited for: what is known now (none the first time), worked out in the background (search/related.ts).
  // The visitor's language ranks first (signed-out pages are kept per language, and so are these lists).
  const related = app.relatedQuestions.for(thread, request.i18n.locale);
  const query = (request.query ?? {}) as { feedback?: unknown; answers?: unknown; page?: unknown };
  const feedback = query.feedback;
  const sort = answerSort(query.answers);
  const answerTotal = thread.answers.length;
  const answerPages = pageCount(answerTotal, ANSWERS_PER_PAGE);
  const answerPage = Math.min(pageNumber(query.page), answerPages);
  const answersShown = sortAnswers(thread.answers, sort).slice((answerPage - 1) * ANSWERS_PER_PAGE, answerPage * ANSWERS_PER_PAGE);
  const threadPath = questionPath(thread.id, thread.slug);
  return {
    template: 'questions/thread',
    data: {
      // Each answer declares its own language (an English answer may follow a Spanish question); a short one
      // that says too little takes the question's.
      thread: { ...thread, viewCount, answers: answersShown.map((a) => ({ ...a, language: detectLanguage(htmlToText(a.bodyHtml), thread.language) })) },
      answerTotal,
      bodyMax: BODY_MAX,
      answerSort: sort,
      answerSorts: ANSWER_SORTS,
      answerPage,
      answerPages,
      can: { ...threadPermissions(app, request, thread), signInPath: `/signin?next=${encodeURIComponent(threadPath)}` },
      errors: state.errors ?? {},
      answerPreview: state.answerPreview,
      values: state.values ?? {},
      threadPath,
      related,
      duplicate: duplicateNotice(app.db, thread),
      // Closed by whom and why, lock note, close votes (views/partials/moderation-*.eta).
      moderation: threadModeration(app.db, thread.id, request.user?.id, app.settings()),
      closeReasons: CLOSE_REASONS,
      // The viewer's own flags on this thread and their fate (signed-in pages are never kept by the page cache).
      myFlags: request.user ? myFlags(app.db, request.user.id, thread.id) : [],
      linked: linkedQuestions(app.db, thread.id),
      // Staff only (signed-in pages are never kept by the page cache): the searches learned for this thread.
      phrasings: atLeast(request.user?.role, 'staff') ? phrasingsOf(app.db, thread.id) : null,
      phrasingConfirmations: PHRASING_CONFIRMATIONS,
      feedback: feedback === 'yes' || feedback === 'no' ? feedback : null,
      // Private support: only whether an unsolved case exists is public (the banner is part of the kept page);
      // the case link and the escalation link are for the signed-in viewers allowed them.
      support: {
        banner: hasUnsolvedCase(app.db, thread.id),
        caseId: unsolvedCaseFor(app.db, request.user, thread.id)?.id ?? null,
        canEscalate: canEscalate(request.user, thread.author.id),
      },
      // The desk's assignment, for staff only (their pages are never kept: signed-in pages are not shared).
      desk: atLeast(request.user?.role, 'staff') ? { assignee: assigneeOf(app.db, request.user, thread.id), viewerId: request.user!.id } : null,
      justOpenedCase: !!request.user && (query as { case?: unknown }).case === 'opened',
    },
    options: {
      status,
      title: thread.title,
      description: threadDescription(thread),
      canonicalPath: questionPath(thread.id, thread.slug),
      ogType: 'article',
      contentLanguage: thread.language,
      jsonLd: [qaPage(thread, app.config.baseUrl + questionPath(thread.id, thread.slug), app.config.baseUrl)].filter((ld) => ld !== undefined),
      feeds: [{ title: t('feed.question', { title: thread.title }), href: questionFeedPath(thread.id) }],
    },
    holes: { views },
    dependsOn: { questions: [thread.id] },
  };
}

/** Shows the thread again, e.g. with the errors of a form posted on it. */
export async function renderThread(
  app: FastifyInstance & { viewCounter?: ViewCounter },
  request: FastifyRequest,
  reply: FastifyReply,
  questionId: number,
  state: ThreadFormState = {},
  status = 200,
): Promise<FastifyReply> {
  const { template, data, options } = await threadPage(app, request, questionId, state, status);
  return reply.page(template, data, options);
}
