// Owns the thread page's view model: the thread plus what this viewer may do on it, and any form errors.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { atLeast } from '../accounts/roles.ts';
import { openCounts } from '../moderation/queue.ts';
import { mayComment } from '../comments/service.ts';
import { PHRASING_CONFIRMATIONS } from '../search/documents.ts';
import { phrasingsOf } from '../search/phrasings.ts';
import { hasPrivilege, privilegeThreshold } from '../votes/rules.ts';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import type Database from 'better-sqlite3';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { duplicateNotice, linkedQuestions } from './duplicates.ts';
import { CLOSE_REASONS, threadModeration, type ThreadModeration } from '../moderation/close.ts';
import { visibleThread } from '../moderation/visibility.ts';
import { canEdit, getThread, questionPath, type QuestionView } from './service.ts';
import type { ViewCounter } from './view-counter.ts';
import { BODY_MAX } from './validation.ts';
import type { SharedPage } from '../../plugins/views.ts';
import { detectLanguage } from '../../lib/language.ts';
import { htmlToText } from '../../lib/markdown.ts';
import { qaPage, threadDescription } from '../feeds/structured-data.ts';
import { questionFeedPath } from '../feeds/paths.ts';
import { canEscalate, hasUnsolvedCase, isCaseStaff } from '../cases/service.ts';
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

/** What permissions are worked out from: the thread's posts and their authors. */
export type ThreadShape = { id: number; path: string; author: { id: number }; answers: { id: number; author: { id: number } }[] };

export function threadPermissions(app: FastifyInstance, user: SessionUser | null, thread: ThreadShape) {
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
    following: !!user && statementsOf(app.db).following.get(thread.id, user.id) !== undefined,
  };
}

/**
 * The viewer's own statements for a thread page, prepared once per database: a handful whatever the number of
 * posts (their votes, flags, follow, unread count, support case).
 */
interface ViewerStatements {
  following: Database.Statement;
  votes: Database.Statement;
  flags: Database.Statement;
  unread: Database.Statement;
  unsolvedCase: Database.Statement;
  closeVotes: Database.Statement;
}
const viewerStatements = new WeakMap<Db, ViewerStatements>();

function statementsOf(db: Db): ViewerStatements {
  let statements = viewerStatements.get(db);
  if (!statements) {
    const client = db.$client;
    statements = {
      following: client.prepare('select 1 from question_follows where question_id = ? and user_id = ?').pluck(),
      votes: client.prepare(
        "select post_type as postType, post_id as postId, value from votes where user_id = ? and ((post_type = 'question' and post_id = ?) or (post_type = 'answer' and post_id in (select id from answers where question_id = ?)))",
      ),
      // Newest first, as moderation/flags.ts's myFlags lists them (a post's first match is its latest flag).
      flags: client.prepare('select post_type as postType, post_id as postId, status from flags where flagger_id = ? and question_id = ? order by id desc limit 50'),
      unread: client.prepare('select count(*) from notifications where user_id = ? and read_at is null').pluck(),
      unsolvedCase: client.prepare("select id, asker_id as askerId from support_cases where question_id = ? and status != 'solved' limit 1"),
      closeVotes: client.prepare('select kind, user_id as userId from close_votes where question_id = ? and settled_at is null'),
    };
    viewerStatements.set(db, statements);
  }
  return statements;
}

/** Everything of a thread page that depends on who is looking (see THREAD_REGIONS). */
export interface ViewerContext {
  user: SessionUser | null;
  can: ReturnType<typeof threadPermissions> & { signInPath: string };
  myVotes: Map<string, number>;
  myFlags: { postType: string; postId: number; status: string }[];
  /** The thread's close/lock/pin state with this viewer's votes, when a control is shown to them; else null. */
  moderation: ThreadModeration | null;
  caseId: number | null;
  canEscalate: boolean;
  justOpened: boolean;
  unread: number;
  moderationCount: number | null;
  errors: Record<string, string>;
  values: Record<string, string>;
  answerPreview?: string;
}

export function viewerContext(
  app: FastifyInstance,
  request: FastifyRequest,
  user: SessionUser | null,
  thread: ThreadShape,
  state: ThreadFormState = {},
  /**
   * The thread's moderation state: for this viewer (`forViewer`), or as nobody sees it (a skeleton's), whose open
   * close votes are then read again for this viewer.
   */
  known?: { moderation: ThreadModeration; forViewer: boolean },
): ViewerContext {
  const statements = statementsOf(app.db);
  const can = { ...threadPermissions(app, user, thread), signInPath: `/signin?next=${encodeURIComponent(thread.path)}` };
  const myVotes = new Map<string, number>();
  let myFlags: ViewerContext['myFlags'] = [];
  let caseId: number | null = null;
  let unread = 0;
  if (user) {
    for (const vote of statements.votes.all(user.id, thread.id, thread.id) as { postType: string; postId: number; value: number }[]) myVotes.set(`${vote.postType}:${vote.postId}`, vote.value);
    myFlags = statements.flags.all(user.id, thread.id) as ViewerContext['myFlags'];
    unread = statements.unread.get(user.id) as number;
    const unsolved = statements.unsolvedCase.get(thread.id) as { id: number; askerId: number } | undefined;
    caseId = unsolved && (unsolved.askerId === user.id || isCaseStaff(user)) ? unsolved.id : null;
  }
  const query = (request.query ?? {}) as { case?: unknown };
  return {
    user,
    can,
    myVotes,
    myFlags,
    moderation: can.canModerate || can.canCloseVote ? moderationFor(app, thread.id, user, known) : null,
    caseId,
    canEscalate: canEscalate(user, thread.author.id),
    justOpened: !!user && query.case === 'opened',
    unread,
    moderationCount: atLeast(user?.role, 'moderator') ? openCounts(app.db).total : null,
    errors: state.errors ?? {},
    values: state.values ?? {},
    answerPreview: state.answerPreview,
  };
}

/** The thread's close/lock/pin state with this viewer's open close votes (see viewerContext's `known`). */
function moderationFor(app: FastifyInstance, questionId: number, user: SessionUser | null, known?: { moderation: ThreadModeration; forViewer: boolean }): ThreadModeration {
  if (!known) return threadModeration(app.db, questionId, user?.id, app.settings());
  if (known.forViewer) return known.moderation;
  const votes = statementsOf(app.db).closeVotes.all(questionId) as { kind: string; userId: number }[];
  return {
    ...known.moderation,
    closeVotes: votes.filter((v) => v.kind === 'close').length,
    reopenVotes: votes.filter((v) => v.kind === 'reopen').length,
    votedClose: votes.some((v) => v.kind === 'close' && v.userId === user?.id),
    votedReopen: votes.some((v) => v.kind === 'reopen' && v.userId === user?.id),
    needed: app.settings().closeVotesNeeded,
  };
}

type RegionArgs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const pick = (errors: Record<string, string>, keys: string[]) => Object.fromEntries(keys.filter((key) => errors[key] !== undefined).map((key) => [key, errors[key]]));

/**
 * The places of the thread page that depend on who is looking, each a template views/questions/thread-<name>.eta
 * given `s` (what the page passes, the same for everyone) and `v` (what this viewer's context makes of it: plain
 * values only, so that the same `v` always renders the same bytes). A member's page is the skeleton rendered for
 * nobody with these places left as slots, each filled with its template's output for the member's `v`
 * (member-thread.ts); a page rendered in full prints the same templates inline. Anything of the page that depends
 * on the viewer must be in one of these.
 */
export const THREAD_REGIONS: Record<string, (ctx: ViewerContext, s: RegionArgs) => RegionArgs> = {
  header: (ctx) => ({
    user: ctx.user ? { username: ctx.user.username, displayName: ctx.user.displayName } : null,
    unread: ctx.unread,
    isStaff: atLeast(ctx.user?.role, 'staff'),
    isAdmin: atLeast(ctx.user?.role, 'admin'),
    moderationCount: ctx.moderationCount,
  }),
  follow: (ctx) => ({ signedIn: ctx.can.signedIn, following: ctx.can.following }),
  support: (ctx) => ({ caseId: ctx.caseId, canEscalate: ctx.canEscalate, justOpened: ctx.justOpened }),
  vote: (ctx, s) => ({
    myVote: ctx.myVotes.get(`${s.postType}:${s.postId}`) ?? 0,
    own: ctx.can.isOwn(s.authorId),
    error: ctx.errors[`vote-${s.postType}-${s.postId}`],
    can: {
      canVoteUp: ctx.can.canVoteUp,
      canVoteDown: ctx.can.canVoteDown,
      signedIn: ctx.can.signedIn,
      voteUpReputation: ctx.can.voteUpReputation,
      voteDownReputation: ctx.can.voteDownReputation,
      signInPath: ctx.can.signInPath,
    },
  }),
  actions: (ctx, s) => {
    const own = ctx.can.isOwn(s.authorId);
    const question = s.postType === 'question';
    return {
      canAccept: !question && ctx.can.canAccept,
      canMarkOfficial: !question && ctx.can.canMarkOfficial,
      canEdit: ctx.can.canEditPost(s.authorId),
      canDelete: ctx.can.canModerate || (question ? own && s.answerCount === 0 : own),
      canFlag: ctx.can.canFlag(s.authorId),
      myFlags: ctx.myFlags.filter((flag) => flag.postType === s.postType && flag.postId === s.postId),
      errors: pick(ctx.errors, [`flag-${s.postType}-${s.postId}`]),
    };
  },
  comments: (ctx, s) => {
    const formName = `comment-${s.postType}-${s.postId}`;
    const canComment = ctx.can.canCommentOn(s.postType, s.postId);
    const comments = s.comments as { id: number; author: { id: number } }[];
    const ids = new Set(comments.map((c) => c.id));
    return {
      canComment,
      commentLocked: ctx.can.signedIn && !canComment ? ctx.can.commentReputation : 0,
      error: ctx.errors[formName],
      value: ctx.values[formName],
      flaggable: [...new Set(comments.map((c) => c.author.id))].filter((authorId) => ctx.can.canFlag(authorId)),
      myFlags: ctx.myFlags.filter((flag) => flag.postType === 'comment' && ids.has(flag.postId)),
      errors: pick(ctx.errors, comments.map((c) => `flag-comment-${c.id}`)),
    };
  },
  controls: (ctx) => {
    const m = ctx.moderation;
    return {
      can: { canModerate: ctx.can.canModerate, canCloseVote: ctx.can.canCloseVote, canPin: ctx.can.canPin },
      m: m && {
        status: m.status,
        locked: m.locked,
        pinned: m.pinned,
        closeVotes: m.closeVotes,
        reopenVotes: m.reopenVotes,
        votedClose: m.votedClose,
        votedReopen: m.votedReopen,
        needed: m.needed,
      },
      errors: pick(ctx.errors, ['close', 'lock']),
    };
  },
  'answer-form': (ctx) => ({ signedIn: ctx.can.signedIn, error: ctx.errors.answer, value: ctx.values.answer, preview: ctx.answerPreview }),
};

/** Renders one region for a viewer's `v` (the same call for a full page and for a member's filled skeleton). */
export function renderRegion(app: FastifyInstance, request: FastifyRequest, name: string, s: RegionArgs, v: RegionArgs, csrfToken: unknown): string {
  return app.eta.render(`questions/thread-${name}`, { s, v, t: request.i18n.t, i18n: request.i18n, csrfToken });
}

/** In a skeleton, what a region becomes instead of its HTML: a slot's marker (member-thread.ts). */
export type RegionRecorder = (name: string, s: RegionArgs) => string;

/** The thread page's template and view model for this viewer. */
export async function threadPage(
  app: FastifyInstance & { viewCounter?: ViewCounter },
  request: FastifyRequest,
  questionId: number,
  state: ThreadFormState = {},
  status = 200,
  skeleton?: RegionRecorder,
): Promise<SharedPage & { hiddenAuthors: number[]; shape: ThreadShape; moderation: ThreadModeration }> {
  // A skeleton is rendered for nobody in particular: nothing of the member asking may reach it.
  const user = skeleton ? null : request.user;
  // The viewer's votes come with the rest of their context (viewerContext), not with the thread.
  const full = getThread(app.db, questionId);
  // Who sees more of this thread than nobody does (hidden posts and comments are shown to their authors).
  const hiddenAuthors = [
    ...(full.hiddenReason ? [full.author.id] : []),
    ...full.comments.filter((c) => c.hiddenReason).map((c) => c.author.id),
    ...full.answers.flatMap((a) => [...(a.hiddenReason ? [a.author.id] : []), ...a.comments.filter((c) => c.hiddenReason).map((c) => c.author.id)]),
  ];
  const thread = visibleThread(full, user);
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
  const shape: ThreadShape = { id: thread.id, path: threadPath, author: { id: thread.author.id }, answers: thread.answers.map((a) => ({ id: a.id, author: { id: a.author.id } })) };
  const url = new URL(request.url, 'http://x');
  const currentPath = url.pathname + url.search;
  const moderation = threadModeration(app.db, thread.id, user?.id, app.settings());
  let region: (name: string, s: RegionArgs, csrfToken: unknown) => string;
  if (skeleton) {
    region = (name, s) => skeleton(name, s);
  } else {
    const ctx = viewerContext(app, request, user, shape, state, { moderation, forViewer: true });
    region = (name, s, csrfToken) => renderRegion(app, request, name, s, THREAD_REGIONS[name](ctx, s), csrfToken);
  }
  return {
    hiddenAuthors,
    shape,
    moderation,
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
      region,
      headerLinks: (inMenu: boolean, csrfToken: unknown) => region('header', { inMenu, currentPath }, csrfToken),
      errors: state.errors ?? {},
      answerPreview: state.answerPreview,
      values: state.values ?? {},
      threadPath,
      related,
      duplicate: duplicateNotice(app.db, thread),
      // Closed by whom and why, lock note, close votes (views/partials/moderation-*.eta).
      moderation,
      closeReasons: CLOSE_REASONS,
      linked: linkedQuestions(app.db, thread.id),
      // Staff only (signed-in pages are never kept by the page cache): the searches learned for this thread.
      phrasings: atLeast(user?.role, 'staff') ? phrasingsOf(app.db, thread.id) : null,
      phrasingConfirmations: PHRASING_CONFIRMATIONS,
      feedback: feedback === 'yes' || feedback === 'no' ? feedback : null,
      // Private support: only whether an unsolved case exists is public (the banner is part of the kept page);
      // the case link and the escalation link are for the signed-in viewers allowed them.
      support: { banner: hasUnsolvedCase(app.db, thread.id) },
      // The desk's assignment, for staff only (their pages are never kept: signed-in pages are not shared).
      desk: atLeast(user?.role, 'staff') ? { assignee: assigneeOf(app.db, user, thread.id), viewerId: user!.id } : null,
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
