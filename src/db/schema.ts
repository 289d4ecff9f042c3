// Owns every table of the forum. Invariants that the database cannot express are written beside the column.
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Roles in increasing order of trust; see src/features/accounts/roles.ts for what each may do. */
export const ROLES = ['member', 'moderator', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    /** lower(username): usernames are unique ignoring case. */
    usernameKey: text('username_key').notNull(),
    /** Null only for placeholder authors created by an import; they can never sign in. */
    email: text('email'),
    emailKey: text('email_key'),
    displayName: text('display_name').notNull(),
    /** argon2id PHC string; null for placeholder authors. Never leaves the accounts service. */
    passwordHash: text('password_hash'),
    role: text('role', { enum: ROLES }).notNull().default('member'),
    /** Cache of sum(reputation_events.delta) floored at 1; recomputable from the ledger. */
    reputation: integer('reputation').notNull().default(1),
    /** Preferred interface language, when the user chose one. */
    locale: text('locale'),
    createdAt: createdAt(),
    /** Set when an account is suspended by an admin; its sessions are revoked at the same time. */
    suspendedAt: integer('suspended_at', { mode: 'timestamp_ms' }),
    /** For placeholder authors of imported content: where they came from, e.g. `beer.stackexchange.com:123`. */
    sourceKey: text('source_key'),
    /**
     * usernameSkeleton(username) (features/accounts/confusables.ts): equal for names that look alike
     * (`laura.ondara`, `Iaura.ondara`). A new username whose skeleton is taken is refused. Not unique:
     * look-alikes registered before the rule stay; null until filled in (sign-up fills any missing first).
     */
    usernameSkeleton: text('username_skeleton'),
    /** The profile's "about": Markdown as written, and its sanitized HTML (rendered at write time, as posts are). */
    aboutMd: text('about_md'),
    aboutHtml: text('about_html'),
    /** Where the member says they are, free text shown on the profile. */
    location: text('location'),
    /** When the current `email` was confirmed by a one-time link; null until then (no notification mail is sent to it). */
    emailVerifiedAt: integer('email_verified_at', { mode: 'timestamp_ms' }),
    /**
     * A moderator's suspension (src/features/moderation/suspensions.ts), unlike `suspendedAt` (an account shut
     * out altogether): until this moment the member may sign in only to read why, and every write is refused
     * with 403. Null, or a past moment, is not suspended.
     */
    suspendedUntil: integer('suspended_until', { mode: 'timestamp_ms' }),
    /** The reason shown to the suspended member (and, without private details, in the public moderation log). */
    suspensionReason: text('suspension_reason'),
  },
  (t) => [
    uniqueIndex('users_username_key').on(t.usernameKey),
    uniqueIndex('users_email_key').on(t.emailKey),
    uniqueIndex('users_source_key').on(t.sourceKey),
    index('users_username_skeleton').on(t.usernameSkeleton),
    // The users directory, by reputation.
    index('users_reputation').on(t.reputation),
  ],
);

/**
 * Server-side sessions for browser cookies and API bearer tokens alike.
 * `id` is the SHA-256 of the secret the client holds: a database leak reveals no usable token.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['cookie', 'api'] }).notNull(),
    createdAt: createdAt(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    /** A revoked session is kept for the audit trail and never accepted again. */
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Failed sign-in attempts per login name (known or not, so that throttling reveals nothing). */
export const loginThrottle = sqliteTable('login_throttle', {
  loginKey: text('login_key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: integer('window_started_at', { mode: 'timestamp_ms' }).notNull(),
  blockedUntil: integer('blocked_until', { mode: 'timestamp_ms' }),
});

/** Operator settings, one JSON value per key; defaults live in src/features/settings/definitions.ts. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

export const POST_TYPES = ['question', 'answer'] as const;
export type PostType = (typeof POST_TYPES)[number];
export const LANGUAGES = ['es', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * Questions. Counters (score, answerCount) are caches kept in step by the services inside the same
 * transaction as the change they count. `acceptedAnswerId` names an answer of this very question.
 * Markdown is stored as written (`bodyMd`) and as sanitized HTML rendered once at write time (`bodyHtml`).
 */
export const questions = sqliteTable(
  'questions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    title: text('title').notNull(),
    slug: text('slug').notNull(),
    bodyMd: text('body_md').notNull(),
    bodyHtml: text('body_html').notNull(),
    /** Detected from the text, not from the page it was asked on. */
    language: text('language', { enum: LANGUAGES }).notNull().default('en'),
    score: integer('score').notNull().default(0),
    viewCount: integer('view_count').notNull().default(0),
    /** Live (not deleted) answers. */
    answerCount: integer('answer_count').notNull().default(0),
    acceptedAnswerId: integer('accepted_answer_id'),
    /** When the current accepted answer was accepted (the deflection report counts resolutions by it). */
    acceptedAt: integer('accepted_at', { mode: 'timestamp_ms' }),
    /** Who accepted the current accepted answer: the asker, or a moderator on the asker's behalf (shown on the thread). */
    acceptedById: integer('accepted_by_id'),
    status: text('status', { enum: ['open', 'closed'] }).notNull().default('open'),
    /**
     * Set (with status `closed`) only by closeAsDuplicate (src/features/questions/duplicates.ts): names a live
     * question that is not itself a duplicate (no chains, no cycles). Search indexes a duplicate's title on it.
     */
    duplicateOfId: integer('duplicate_of_id'),
    /** Why it is closed (src/features/moderation/close.ts CLOSE_REASONS); null while open. */
    closedReason: text('closed_reason'),
    /** Who closed it: a moderator, or the last of the members whose close votes closed it; null for the system. */
    closedById: integer('closed_by_id'),
    closedAt: integer('closed_at', { mode: 'timestamp_ms' }),
    /** A locked thread takes no answers, comments or votes (staff note shown); set and cleared by moderators. */
    lockedAt: integer('locked_at', { mode: 'timestamp_ms' }),
    lockedById: integer('locked_by_id'),
    lockNote: text('lock_note'),
    /** Pinned to the top of the home page by staff; null when not pinned. */
    pinnedAt: integer('pinned_at', { mode: 'timestamp_ms' }),
    /**
     * Hidden pending review (src/features/moderation/flags.ts): 'spam' or 'rude' after enough flags, 'held' for a new
     * member's first post with links. Shown only to its author and moderators; null for a visible post.
     */
    hiddenReason: text('hidden_reason'),
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
    editedAt: integer('edited_at', { mode: 'timestamp_ms' }),
    lastActivityAt: integer('last_activity_at', { mode: 'timestamp_ms' }).notNull(),
    /** For imported threads: the site they came from (e.g. beer.stackexchange.com) and their id there. */
    sourceSite: text('source_site'),
    sourceId: integer('source_id'),
  },
  (t) => [
    index('questions_created').on(t.createdAt),
    // The deflection report reads the questions asked, and those resolved, in its period from these alone
    // (covering: the rows themselves, with their bodies, are never read).
    index('questions_report_created').on(t.createdAt, t.deletedAt, t.answerCount, t.acceptedAt, t.acceptedAnswerId),
    index('questions_report_accepted').on(t.acceptedAt, t.deletedAt, t.createdAt, t.answerCount, t.acceptedAnswerId),
    index('questions_activity').on(t.lastActivityAt),
    index('questions_score').on(t.score),
    index('questions_author').on(t.authorId),
    // Sitemaps: a member's latest live activity (their profile's lastmod) from the index alone.
    index('questions_author_activity').on(t.authorId, t.deletedAt, t.lastActivityAt),
    uniqueIndex('questions_source').on(t.sourceSite, t.sourceId),
    // The duplicates of a question (search's alternate titles, re-pointing a chain when an original is closed).
    index('questions_duplicate_of').on(t.duplicateOfId),
  ],
);

/**
 * "Related" links between two questions shown on the thread (imported from Stack Exchange's PostLinks,
 * LinkTypeId 1). One row per ordered pair; the thread of either end lists the other.
 */
export const questionLinks = sqliteTable(
  'question_links',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    questionId: integer('question_id')
      .notNull()
      .references(() => questions.id),
    relatedId: integer('related_id')
      .notNull()
      .references(() => questions.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('question_links_pair').on(t.questionId, t.relatedId), index('question_links_related').on(t.relatedId)],
);

export const answers = sqliteTable(
  'answers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    questionId: integer('question_id')
      .notNull()
      .references(() => questions.id),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    bodyMd: text('body_md').notNull(),
    bodyHtml: text('body_html').notNull(),
    score: integer('score').notNull().default(0),
    /** An answer given on behalf of the company: set for staff authors, or by staff on any answer. */
    official: integer('official', { mode: 'boolean' }).notNull().default(false),
    /** As questions.hiddenReason. */
    hiddenReason: text('hidden_reason'),
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
    editedAt: integer('edited_at', { mode: 'timestamp_ms' }),
    sourceSite: text('source_site'),
    sourceId: integer('source_id'),
  },
  (t) => [
    index('answers_question').on(t.questionId),
    index('answers_author').on(t.authorId),
    // Sitemaps: a member's latest live answer (their profile's lastmod) from the index alone.
    index('answers_author_created').on(t.authorId, t.deletedAt, t.createdAt),
    uniqueIndex('answers_source').on(t.sourceSite, t.sourceId),
    // The deflection report's "has a positively scored answer" and "first answer at", without reading answers.
    index('answers_question_live').on(t.questionId, t.deletedAt, t.score, t.createdAt),
  ],
);

/** Comments are plain text (escaped when shown), on a question or an answer. */
export const comments = sqliteTable(
  'comments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postType: text('post_type', { enum: POST_TYPES }).notNull(),
    postId: integer('post_id').notNull(),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    createdAt: createdAt(),
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
    /** As questions.hiddenReason. */
    hiddenReason: text('hidden_reason'),
  },
  (t) => [index('comments_post').on(t.postType, t.postId), index('comments_author').on(t.authorId)],
);

export const tags = sqliteTable('tags', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  /** Live questions carrying the tag (cache). */
  questionCount: integer('question_count').notNull().default(0),
  createdAt: createdAt(),
  /** What the tag is for, written by staff: Markdown as written and its sanitized HTML. */
  descriptionMd: text('description_md'),
  descriptionHtml: text('description_html'),
});

export const questionTags = sqliteTable(
  'question_tags',
  {
    questionId: integer('question_id')
      .notNull()
      .references(() => questions.id),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id),
  },
  (t) => [
    uniqueIndex('question_tags_pk').on(t.questionId, t.tagId),
    index('question_tags_tag').on(t.tagId),
    // Sitemaps: a tag's newest questions (its page's lastmod) without reading all of them.
    index('question_tags_tag_question').on(t.tagId, t.questionId),
  ],
);

/** One vote per user per post; a retracted vote is deleted. value is +1 or -1. */
export const votes = sqliteTable(
  'votes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    postType: text('post_type', { enum: POST_TYPES }).notNull(),
    postId: integer('post_id').notNull(),
    value: integer('value').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('votes_one_per_user').on(t.userId, t.postType, t.postId), index('votes_post').on(t.postType, t.postId)],
);

/**
 * The reputation ledger. Every change of reputation is a row here; `users.reputation` is
 * max(1, 1 + sum(delta)) over a user's rows. A reversal is a new row with the opposite delta.
 */
export const reputationEvents = sqliteTable(
  'reputation_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    delta: integer('delta').notNull(),
    reason: text('reason').notNull(),
    postType: text('post_type', { enum: POST_TYPES }),
    postId: integer('post_id'),
    /** The vote (or, for accept events, the question) whose change produced this row. */
    voteId: integer('vote_id'),
    createdAt: createdAt(),
  },
  (t) => [index('reputation_user_time').on(t.userId, t.createdAt), index('reputation_post').on(t.postType, t.postId)],
);

/** Every version of every post, the first included. `tags` is a JSON array for questions. */
export const revisions = sqliteTable(
  'revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postType: text('post_type', { enum: POST_TYPES }).notNull(),
    postId: integer('post_id').notNull(),
    number: integer('number').notNull(),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    title: text('title'),
    bodyMd: text('body_md').notNull(),
    tags: text('tags'),
    comment: text('comment'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('revisions_post_number').on(t.postType, t.postId, t.number)],
);

/**
 * The search change log: every write that changes what search should find appends the question id
 * here, in the same transaction. Search indexes in any process tail it by id.
 */
export const searchChanges = sqliteTable('search_changes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  questionId: integer('question_id').notNull(),
  createdAt: createdAt(),
});

/** Kinds of deflection events: the first group is sent by pages, the second logged by the server itself. */
export const PAGE_EVENT_KINDS = ['result_click', 'suggestion_click', 'thread_read', 'solved', 'not_solved', 'ask_abandoned'] as const;
export const SERVER_EVENT_KINDS = ['search', 'thread_view', 'ask_started', 'suggestions_shown', 'question_posted', 'contact_support'] as const;
export type DeflectionKind = (typeof PAGE_EVENT_KINDS)[number] | (typeof SERVER_EVENT_KINDS)[number];

/**
 * Anonymous, first-party visitor events for the deflection report. No IP address is ever stored;
 * bots, moderators, staff, admins and internal networks are never recorded.
 */
export const deflectionEvents = sqliteTable(
  'deflection_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    kind: text('kind').$type<DeflectionKind>().notNull(),
    /** The random id of the visitor cookie. */
    visitorId: text('visitor_id').notNull(),
    userId: integer('user_id'),
    questionId: integer('question_id'),
    /** Normalized search query (lower case, single spaces, at most 200 characters). */
    query: text('query'),
    resultCount: integer('result_count'),
    rank: integer('rank'),
    /** For ask_started when a holdout runs: whether this visitor sees suggestions ("shown") or not ("hidden"). */
    variant: text('variant'),
  },
  (t) => [index('deflection_at').on(t.at), index('deflection_visitor_at').on(t.visitorId, t.at), index('deflection_user_at').on(t.userId, t.at)],
);

/** A visitor id seen signed in as a user: what they did signed out and signed in is one person. */
export const visitorLinks = sqliteTable('visitor_links', {
  visitorId: text('visitor_id').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  linkedAt: integer('linked_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * The estimator's result for one finished UTC day (all of its window W has passed), so that a report
 * over months reads a few rows instead of every event. `settingsKey` names the settings it used.
 */
export const deflectionRollups = sqliteTable('deflection_rollups', {
  day: text('day').primaryKey(),
  settingsKey: text('settings_key').notNull(),
  data: text('data').notNull(),
  computedAt: integer('computed_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * One-time links sent by mail: confirm an address, reset a password, confirm a change of address.
 * The link carries `<id>.<secret>`; only SHA-256(secret) is stored, compared in constant time.
 * A token is used at most once (`usedAt`) and never after `expiresAt`. For `verify` and `change`,
 * `address` is the address the link confirms (the account's address is only changed when it is followed).
 */
export const ACCOUNT_TOKEN_PURPOSES = ['verify', 'reset', 'change'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];
export const accountTokens = sqliteTable(
  'account_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
    secretHash: text('secret_hash').notNull(),
    address: text('address'),
    createdAt: createdAt(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('account_tokens_user').on(t.userId, t.purpose, t.createdAt)],
);

/**
 * The mail outbox (transactional outbox): a message is a row written in the same transaction as the event
 * that causes it, and the sender loop (src/features/mail/sender.ts) delivers it later.
 * status: pending (waiting for `nextAttemptAt`) -> sending (claimed until `claimedUntil`) -> sent | failed;
 * `kept` when no SMTP server is configured (read at /admin/mail). A claim that outlives `claimedUntil`
 * (its process died) is taken again with the same `messageToken`, so the Message-ID stays the same.
 * `data` is the template's JSON input; subject and parts are rendered when sent (and kept for the preview).
 */
export const MAIL_STATUSES = ['pending', 'sending', 'sent', 'failed', 'kept'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Random; the Message-ID is `<messageToken@host of BASE_URL>`. */
    messageToken: text('message_token').notNull(),
    toUserId: integer('to_user_id').references(() => users.id, { onDelete: 'set null' }),
    toAddress: text('to_address').notNull(),
    locale: text('locale', { enum: LANGUAGES }).notNull(),
    /** What kind of mail it is (a notification kind, `security`, …): one-click unsubscribe changes only this kind. */
    kind: text('kind').notNull(),
    /** Security mail (verification, reset, address change) carries no unsubscribe headers and ignores preferences. */
    security: integer('security', { mode: 'boolean' }).notNull().default(false),
    template: text('template').notNull(),
    data: text('data').notNull(),
    status: text('status', { enum: MAIL_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    claimedUntil: integer('claimed_until', { mode: 'timestamp_ms' }),
    lastError: text('last_error'),
    /** Mail about one thread for one member (`question:<id>`): events within minutes of each other join one pending row. */
    groupKey: text('group_key'),
    subject: text('subject'),
    textBody: text('text_body'),
    htmlBody: text('html_body'),
    createdAt: createdAt(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('mail_outbox_token').on(t.messageToken), index('mail_outbox_due').on(t.status, t.nextAttemptAt), index('mail_outbox_user').on(t.toUserId, t.createdAt), index('mail_outbox_group').on(t.toUserId, t.groupKey, t.createdAt)],
);

/** Kinds of notification; each has a mail delivery preference (src/features/notifications/kinds.ts has the defaults). */
export const NOTIFICATION_KINDS = [
  'answer_on_your_question',
  'comment_on_your_post',
  'mention',
  'answer_accepted',
  'official_answer',
  'followed_question_activity',
  'followed_tag_question',
  'post_edited',
  'moderation_action',
  'privilege_gained',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const DELIVERIES = ['immediately', 'daily', 'never'] as const;
export type Delivery = (typeof DELIVERIES)[number];

/** A member's inbox. `questionId` groups events of one thread (coalescing); `data` is JSON for the text. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<NotificationKind>().notNull(),
    actorId: integer('actor_id'),
    questionId: integer('question_id'),
    answerId: integer('answer_id'),
    data: text('data').notNull().default('{}'),
    createdAt: createdAt(),
    readAt: integer('read_at', { mode: 'timestamp_ms' }),
    /** Set when the daily digest (or an immediate mail) has covered it; digests take rows where it is null. */
    mailedAt: integer('mailed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('notifications_user').on(t.userId, t.id), index('notifications_unread').on(t.userId, t.readAt), // The digest pass reads only rows due (waiting, from before the digest moment), every few seconds.
    index('notifications_digest').on(t.mailedAt, t.createdAt, t.userId)],
);

/**
 * Fan-out work: one row per event written in the event's transaction (the request's only cost);
 * the notification job turns it into inbox rows and mail in batches (`cursor` = last follower id done).
 */
export const notificationJobs = sqliteTable(
  'notification_jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    event: text('event').notNull(),
    data: text('data').notNull(),
    cursor: integer('cursor').notNull().default(0),
    createdAt: createdAt(),
    doneAt: integer('done_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('notification_jobs_open').on(t.doneAt, t.id)],
);

/** Who follows which question. Askers and answerers follow automatically. */
export const questionFollows = sqliteTable(
  'question_follows',
  {
    questionId: integer('question_id')
      .notNull()
      .references(() => questions.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('question_follows_pk').on(t.questionId, t.userId), index('question_follows_user').on(t.userId)],
);

export const tagFollows = sqliteTable(
  'tag_follows',
  {
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('tag_follows_pk').on(t.tagId, t.userId), index('tag_follows_user').on(t.userId)],
);

/** Mail delivery per notification kind; a missing row means the kind's default. */
export const notificationPreferences = sqliteTable(
  'notification_preferences',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    delivery: text('delivery', { enum: DELIVERIES }).notNull(),
  },
  (t) => [uniqueIndex('notification_preferences_pk').on(t.userId, t.kind)],
);

/**
 * Learned search phrasings: a visitor searched for `phrase`, opened the question and said it solved their
 * problem. Written by src/features/search/phrasings.ts only. `confirmations` counts the distinct visitors
 * (search_phrasing_confirmations); a phrasing is indexed on its question once at least two confirmed it, the
 * most confirmed 20 per question. Staff can remove one (`removedAt`): it is never indexed or learned again.
 * Phrases never hold e-mail addresses, URLs or long digit runs (refused before they are stored).
 */
export const searchPhrasings = sqliteTable(
  'search_phrasings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    questionId: integer('question_id')
      .notNull()
      .references(() => questions.id),
    /** The normalized query (lower case, single spaces). */
    phrase: text('phrase').notNull(),
    confirmations: integer('confirmations').notNull().default(0),
    createdAt: createdAt(),
    removedAt: integer('removed_at', { mode: 'timestamp_ms' }),
    removedById: integer('removed_by_id').references(() => users.id),
  },
  (t) => [uniqueIndex('search_phrasings_question_phrase').on(t.questionId, t.phrase)],
);

/** One row per visitor who confirmed a learned phrasing (the visitor cookie's random id; nothing else). */
export const searchPhrasingConfirmations = sqliteTable(
  'search_phrasing_confirmations',
  {
    phrasingId: integer('phrasing_id')
      .notNull()
      .references(() => searchPhrasings.id),
    visitorId: text('visitor_id').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('search_phrasing_confirmations_pk').on(t.phrasingId, t.visitorId)],
);

/** What can be flagged or moderated: the posts, and comments. */
export const MODERATED_POST_TYPES = ['question', 'answer', 'comment'] as const;
export type ModeratedPostType = (typeof MODERATED_POST_TYPES)[number];

/**
 * Close and reopen votes of members with the close privilege (src/features/moderation/close.ts). One open vote
 * per member, question and kind; when enough agree the question closes (or reopens) and the votes are settled
 * (`settledAt`), so a later round starts from zero.
 */
export const closeVotes = sqliteTable(
  'close_votes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    questionId: integer('question_id')
      .notNull()
      .references(() => questions.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind', { enum: ['close', 'reopen'] }).notNull(),
    /** For close votes: one of CLOSE_REASONS; for duplicate votes, the original in `duplicateOfId`. */
    reason: text('reason'),
    duplicateOfId: integer('duplicate_of_id'),
    createdAt: createdAt(),
    settledAt: integer('settled_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('close_votes_question').on(t.questionId, t.kind, t.settledAt), index('close_votes_user').on(t.userId, t.questionId)],
);

/**
 * Flags raised by members on a post or comment (src/features/moderation/flags.ts). At most one open flag per
 * member and post; `status` moves from open to helpful (acted on), declined or dismissed when a moderator
 * decides, and the flagger sees that fate. Flaggers' names are private: never in the public log or an API
 * answer to anyone but moderators.
 */
export const flags = sqliteTable(
  'flags',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postType: text('post_type', { enum: MODERATED_POST_TYPES }).notNull(),
    postId: integer('post_id').notNull(),
    /** The thread the post belongs to. */
    questionId: integer('question_id').notNull(),
    /** The post's author, for their history in the review queue. */
    authorId: integer('author_id').notNull(),
    flaggerId: integer('flagger_id')
      .notNull()
      .references(() => users.id),
    reason: text('reason').notNull(),
    /** For "duplicate of": the original question. */
    duplicateOfId: integer('duplicate_of_id'),
    /** For "other": the flagger's words (10–500 characters). */
    note: text('note'),
    status: text('status', { enum: ['open', 'helpful', 'declined', 'dismissed'] }).notNull().default('open'),
    createdAt: createdAt(),
    resolvedAt: integer('resolved_at', { mode: 'timestamp_ms' }),
    resolvedById: integer('resolved_by_id'),
  },
  (t) => [
    index('flags_post').on(t.postType, t.postId, t.status),
    index('flags_status_created').on(t.status, t.createdAt),
    index('flags_flagger').on(t.flaggerId, t.createdAt),
    index('flags_author').on(t.authorId),
  ],
);

/**
 * The public moderation log (src/features/moderation/log.ts): one row per moderator (or community) action,
 * written in the same transaction as the action. `reason` is public text; private details (a warning's text,
 * flaggers' names) are never stored here.
 */
export const moderationLog = sqliteTable(
  'moderation_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** Who acted; null for the community (close votes, flags reaching their threshold) or the system. */
    moderatorId: integer('moderator_id').references(() => users.id),
    action: text('action').notNull(),
    targetType: text('target_type', { enum: ['question', 'answer', 'comment', 'user'] }).notNull(),
    targetId: integer('target_id').notNull(),
    /** The thread, for post targets. */
    questionId: integer('question_id'),
    /** The account concerned (a post's author, or the target user). */
    userId: integer('user_id'),
    reason: text('reason'),
  },
  (t) => [index('moderation_log_at').on(t.at), index('moderation_log_user').on(t.userId)],
);

/** Private messages from moderators to a member (warnings, suspension notes); only the member and moderators read them. */
export const moderatorMessages = sqliteTable(
  'moderator_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    moderatorId: integer('moderator_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    createdAt: createdAt(),
    readAt: integer('read_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('moderator_messages_user').on(t.userId)],
);

/**
 * Private support cases, escalated from a question ("This needs the support team"). A case is seen only by
 * its asker (the question's author) and by staff and admins: it is never joined by search, feeds, sitemaps,
 * the public API or any page that is kept in the signed-out page cache. The public thread only learns that
 * an unsolved case exists (a banner). status: open (staff to act) <-> waiting (for the customer) -> solved;
 * a message from the asker on a solved case opens it again. `privateDetails` (an order number, …) is
 * plain text shown only on the case itself.
 */
export const SUPPORT_CASE_STATUSES = ['open', 'waiting', 'solved'] as const;
export type SupportCaseStatus = (typeof SUPPORT_CASE_STATUSES)[number];
export const supportCases = sqliteTable(
  'support_cases',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    questionId: integer('question_id')
      .notNull()
      .references(() => questions.id),
    /** The customer: always the question's author, also when staff or a moderator opened it for them. */
    askerId: integer('asker_id')
      .notNull()
      .references(() => users.id),
    openedById: integer('opened_by_id')
      .notNull()
      .references(() => users.id),
    status: text('status', { enum: SUPPORT_CASE_STATUSES }).notNull().default('open'),
    /** A staff member or admin, or null. */
    assigneeId: integer('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    privateDetails: text('private_details'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    solvedAt: integer('solved_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('support_cases_question').on(t.questionId, t.status), index('support_cases_asker').on(t.askerId, t.updatedAt), index('support_cases_status').on(t.status, t.updatedAt), index('support_cases_created').on(t.createdAt)],
);

/** The private conversation of a case: Markdown as written and sanitized HTML rendered once at write time. */
export const supportCaseMessages = sqliteTable(
  'support_case_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id')
      .notNull()
      .references(() => supportCases.id, { onDelete: 'cascade' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    bodyMd: text('body_md').notNull(),
    bodyHtml: text('body_html').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('support_case_messages_case').on(t.caseId, t.id)],
);

/** The staff desk: who of the staff has taken a question (at most one each); removed on unassign. */
export const deskAssignments = sqliteTable(
  'desk_assignments',
  {
    questionId: integer('question_id')
      .primaryKey()
      .references(() => questions.id, { onDelete: 'cascade' }),
    staffId: integer('staff_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    assignedAt: integer('assigned_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('desk_assignments_staff').on(t.staffId)],
);

/**
 * A staff member's private Atom feed of desk alerts (`/staff/feed/<userId>.<secret>.atom`): one live token per
 * member; only SHA-256(secret) is stored, compared in constant time. Deleting the row revokes the feed.
 */
export const staffFeedTokens = sqliteTable('staff_feed_tokens', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretHash: text('secret_hash').notNull(),
  createdAt: createdAt(),
});

/** Which desk alert stages a question waiting for a first answer has been alerted at (issue 13). */
export const DESK_ALERT_STAGES = ['close', 'breached'] as const;
export type DeskAlertStage = (typeof DESK_ALERT_STAGES)[number];

/**
 * The first-response alerts raised (src/features/desk/breaches.ts): one row per question and stage, written in
 * the transaction that puts the alert in the outbox, so a restart never alerts a stage twice. Rows of a
 * question that has an answer are deleted by the next pass (the alert is cleared). The private staff feed
 * lists these rows.
 */
export const deskAlerts = sqliteTable(
  'desk_alerts',
  {
    questionId: integer('question_id')
      .notNull()
      .references(() => questions.id, { onDelete: 'cascade' }),
    stage: text('stage', { enum: DESK_ALERT_STAGES }).notNull(),
    alertedAt: integer('alerted_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('desk_alerts_question_stage').on(t.questionId, t.stage), index('desk_alerts_alerted').on(t.alertedAt)],
);
