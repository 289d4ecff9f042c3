// Owns the thread page's view model: the thread plus what this viewer may do on it, and any form errors.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { atLeast } from '../accounts/roles.ts';
import { canComment } from '../comments/service.ts';
import { PHRASING_CONFIRMATIONS } from '../search/documents.ts';
import { phrasingsOf } from '../search/phrasings.ts';
import { relatedQuestions } from '../search/service.ts';
import { hasPrivilege } from '../votes/rules.ts';
import { duplicateNotice, linkedQuestions } from './duplicates.ts';
import { CLOSE_REASONS, threadModeration } from '../moderation/close.ts';
import { myFlags } from '../moderation/flags.ts';
import { visibleThread } from '../moderation/visibility.ts';
import { canEdit, getThread, questionPath, type QuestionView } from './service.ts';
import type { ViewCounter } from './view-counter.ts';
import type { SharedPage } from '../../plugins/views.ts';

export interface ThreadFormState {
  /** Errors by form: `answer`, `comment-question-12`, `comment-answer-7`, `vote`, `accept`. */
  errors?: Record<string, string>;
  /** What the viewer had typed, by the same form names. */
  values?: Record<string, string>;
}

export function threadPermissions(app: FastifyInstance, request: FastifyRequest, thread: QuestionView) {
  const user = request.user;
  const settings = app.settings();
  const canAccept = !!user && (user.id === thread.author.id || atLeast(user.role, 'moderator'));
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
    canCommentOn: (postType: 'question' | 'answer', postId: number) => !!user && canComment(app.db, user, postType, postId, settings),
    isOwn: (authorId: number) => user?.id === authorId,
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
  const related = await relatedQuestions(app.db, app.searchIndex, thread);
  const feedback = ((request.query ?? {}) as { feedback?: unknown }).feedback;
  return {
    template: 'questions/thread',
    data: {
      thread: { ...thread, viewCount },
      can: threadPermissions(app, request, thread),
      errors: state.errors ?? {},
      values: state.values ?? {},
      threadPath: questionPath(thread.id, thread.slug),
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
      description: thread.bodyMd.slice(0, 160).replace(/\s+/g, ' '),
    },
    options: { status, title: thread.title },
    holes: { views },
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
