// Owns the list of operator settings: every number an operator may want to change, with its safe default.
// Add a setting here and it is typed, validated and editable everywhere.

export interface SettingDefinition<T> {
  default: T;
  /** Returns the value when acceptable, or undefined to refuse it. */
  parse: (raw: unknown) => T | undefined;
  /** The accepted range of a number (the admin page says it and checks it). */
  min?: number;
  max?: number;
}

const integer = (min: number, max: number, fallback: number): SettingDefinition<number> => ({
  default: fallback,
  min,
  max,
  parse: (raw) => (typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw <= max ? raw : undefined),
});
const text = (maxLength: number, fallback: string): SettingDefinition<string> => ({
  default: fallback,
  parse: (raw) => (typeof raw === 'string' && raw.length <= maxLength ? raw : undefined),
});
const decimal = (min: number, max: number, fallback: number): SettingDefinition<number> => ({
  default: fallback,
  min,
  max,
  parse: (raw) => (typeof raw === 'number' && Number.isFinite(raw) && raw >= min && raw <= max ? raw : undefined),
});
const pattern = (regex: RegExp, fallback: string): SettingDefinition<string> => ({
  default: fallback,
  parse: (raw) => (typeof raw === 'string' && regex.test(raw) ? raw : undefined),
});
const oneOf = <T extends string>(values: readonly T[], fallback: T): SettingDefinition<T> => ({
  default: fallback,
  parse: (raw) => (values.includes(raw as T) ? (raw as T) : undefined),
});

export const settingDefinitions = {
  /** Language of pages when neither the visitor's choice nor Accept-Language decides. */
  defaultLocale: oneOf(['es', 'en'] as const, 'es'),

  // How the site presents itself to visitors, search engines and link previews (src/features/feeds/).
  /** The forum's name in the header, page titles and shared links; empty: the catalog's "Resuelto". */
  siteName: text(80, ''),
  /** The logo: an https URL or a path on this site; empty: none. */
  siteLogoUrl: pattern(/^$|^https:\/\/[^\s"<>]{1,500}$|^\/(?!\/)[^\s"<>]{0,500}$/, ''),
  /** The home page's meta description; empty: the catalog's text in the page's language. */
  homeDescription: text(300, ''),

  /** Sign-in attempts per IP per minute, page form and API together (Discourse: max_logins_per_ip_per_minute). */
  signInPerIpPerMinute: integer(1, 10_000, 10),
  /** Sign-ups per IP per hour, page form, API and setup form together (Discourse: max_new_accounts_per_registration_ip, per hour here). */
  signUpPerIpPerHour: integer(1, 10_000, 10),
  /** Failed sign-ins for one login name from one client (or one known browser) before its further tries are delayed. */
  failedSignInsBeforeDelay: integer(1, 100, 5),
  /** Failed sign-ins for one login name from browsers that never signed in to it, from any address, before they are delayed. */
  failedSignInsPerAccountBeforeDelay: integer(1, 1000, 20),
  /** Failed sign-ins from one client address, whatever the login names, before its further tries are delayed. */
  failedSignInsPerClientBeforeDelay: integer(1, 1000, 30),
  /** The window in which failed sign-ins are counted, in minutes. */
  failedSignInWindowMinutes: integer(1, 24 * 60, 15),
  /** First delay after too many failures, in seconds; it doubles with every further failure. */
  failedSignInDelaySeconds: integer(1, 3600, 30),
  /** Browser sessions end after this many days without use. */
  sessionIdleDays: integer(1, 365, 30),
  /** API tokens expire this many days after they were issued. */
  apiTokenDays: integer(1, 3650, 90),

  // Reputation (Stack Exchange's numbers). The table that uses them is src/features/votes/rules.ts.
  reputationForUpvote: integer(0, 1000, 10),
  reputationLostPerDownvoteReceived: integer(0, 1000, 2),
  reputationCostOfDownvotingAnswer: integer(0, 1000, 1),
  reputationForAcceptedAnswer: integer(0, 1000, 15),
  reputationForAccepting: integer(0, 1000, 2),
  /** Most reputation one user can gain from votes in one UTC day. */
  reputationDailyVoteCap: integer(0, 100_000, 200),

  // Privileges by reputation (Stack Exchange's thresholds).
  privilegeVoteUp: integer(1, 1_000_000, 15),
  privilegeCommentEverywhere: integer(1, 1_000_000, 50),
  privilegeVoteDown: integer(1, 1_000_000, 125),
  privilegeEditOthers: integer(1, 1_000_000, 2000),

  // Posting limits for members (moderators, staff and admins are exempt); like Discourse's new-user limits.
  /** An account this young (hours) is a new member. */
  newMemberHours: integer(0, 24 * 365, 24),
  newMemberQuestionsPerDay: integer(0, 1000, 3),
  newMemberAnswersPerDay: integer(0, 1000, 10),
  /** Minimum seconds between two posts (questions, answers, comments) by a new member. */
  newMemberSecondsBetweenPosts: integer(0, 3600, 30),
  /** Minimum seconds between two posts by any other member. */
  secondsBetweenPosts: integer(0, 3600, 5),
  /** The same body from the same author within this many minutes is refused as a duplicate. */
  duplicateBodyMinutes: integer(0, 24 * 60, 5),
  /** Posts (questions, answers, comments, edits) per IP per minute, pages and API together: the HTTP-level guard in front of the above. */
  postsPerIpPerMinute: integer(1, 10_000, 20),

  // Moderation (src/features/moderation/): privileges, thresholds and new-member limits, like Stack Exchange's and Discourse's.
  /** Reputation needed to flag posts. */
  privilegeFlag: integer(1, 1_000_000, 15),
  /** Reputation needed to vote to close and to reopen questions. */
  privilegeCloseVote: integer(1, 1_000_000, 500),
  /** Close (or reopen) votes that close (or reopen) a question; a moderator's one vote always does. */
  closeVotesNeeded: integer(1, 100, 3),
  /** Flags one member may raise per UTC day (moderators are not limited). */
  flagsPerDay: integer(1, 1000, 10),
  /** Spam or rude flags from distinct members that hide a post pending review (one moderator's flag always does). */
  flagsToHide: integer(1, 100, 3),
  /** Whether the public moderation log names the moderator ("shown") or says "a moderator" ("hidden"). */
  moderationLogNames: oneOf(['shown', 'hidden'] as const, 'shown'),
  /** Links a new member (see newMemberHours) may put in one post. */
  newMemberLinksPerPost: integer(0, 1000, 2),
  /** Whether a new member's first posts that contain links are held for a moderator's review ("on") or not ("off"). */
  holdFirstPostsWithLinks: oneOf(['on', 'off'] as const, 'on'),

  /**
   * Search synonyms, staff-editable: one group per line, words separated by commas. A query for any
   * word of a group also finds the others. Applied at query time: no reindex needed.
   */
  searchSynonyms: text(
    20_000,
    ['wifi, wlan, inalambrico, wireless', 'factura, recibo, invoice, bill', 'contraseña, clave, password', 'modem, router', 'movil, celular, telefono, phone', 'reembolso, devolucion, refund'].join('\n'),
  ),

  // The deflection report (src/features/deflection/estimator.ts explains every figure).
  /** Hours after a "solved" or a read during which a question or support contact by the same person cancels the credit. */
  deflectionWindowHours: integer(1, 24 * 30, 72),
  /** Share of potential deflections counted in the estimate (Higher Logic's 20% for reads of answered discussions). */
  deflectionPotentialShare: decimal(0, 1, 0.2),
  /** What one assisted support contact (phone, email, chat) costs. */
  costPerContact: decimal(0, 1_000_000, 8),
  /** What one community-handled contact costs. */
  costPerCommunityContact: decimal(0, 1_000_000, 1),
  /** ISO 4217 code of the costs. */
  currency: pattern(/^[A-Z]{3}$/, 'USD'),
  /** Where "Still need help? Contact support" leads (through /support, which counts it). */
  supportUrl: pattern(/^(https?:\/\/|mailto:)[^\s]{1,500}$/, 'mailto:support@example.com'),
  /** Addresses never recorded (the company's own offices): CIDR blocks, one per line or comma-separated. */
  internalNetworks: text(5_000, ''),
  /** Percent of visitors (stable per visitor) who are not shown similar questions when asking, to measure their effect. */
  holdoutPercent: integer(0, 50, 0),

  // Mail (src/features/mail/) and notifications (src/features/notifications/).
  /** How long the mail sender holds a claimed outbox row before another pass may take it again (seconds). */
  mailClaimSeconds: integer(2, 3600, 300),
  /** Password reset mails per account per hour (requests past it get the same answer and no mail). */
  passwordResetsPerAccountPerHour: integer(1, 100, 3),
  /** Password reset requests per IP per hour. */
  passwordResetsPerIpPerHour: integer(1, 10_000, 20),
  /** "Send the confirmation again" per account per hour. */
  verificationMailsPerHour: integer(1, 100, 3),
  /** Most members one comment's @mentions notify; further mentions are ignored. */
  mentionsPerComment: integer(0, 100, 10),
  /** Events on one thread within this many minutes go out as one mail. */
  coalesceMinutes: integer(0, 24 * 60, 5),
  /** UTC hour at which daily digests are sent. */
  digestHourUtc: integer(0, 23, 7),

  // The staff desk (src/features/desk/) and private support cases (src/features/cases/).
  /** The first-response target: a question waiting longer than this for a first answer is breached (hours). */
  firstResponseTargetHours: integer(1, 24 * 30, 24),
  /** Answered questions with nothing accepted come back on the desk after this many days. */
  deskStaleAnsweredDays: integer(1, 365, 7),
  /**
   * Business hours the first-response clock runs in, in UTC: `mon-fri 09:00-17:00` (days, then hours);
   * empty: the clock runs all the time.
   */
  deskBusinessHours: pattern(/^$|^(mon|tue|wed|thu|fri|sat|sun)-(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, ''),
} as const;

export type SettingKey = keyof typeof settingDefinitions;
export type Settings = { [K in SettingKey]: (typeof settingDefinitions)[K]['default'] };
