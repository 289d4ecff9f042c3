// Owns the new-member limits against bulk link spam (Discourse's new-user limits): at most N links in a post
// during the first day, a new member's first posts with links held for review, and the honeypot field of the
// sign-up and ask forms. (The same body twice within minutes is refused by questions/limits.ts already.)
import { AppError } from '../../lib/errors.ts';
import { atLeast, type Role } from '../accounts/roles.ts';
import type { Settings } from '../settings/definitions.ts';

/** The name of the field people never see or fill, and bots fill. */
export const HONEYPOT_FIELD = 'website';

// Autolinks, Markdown links and bare addresses: each scheme or www. starts one link.
const LINK = /\b(?:https?:\/\/|ftp:\/\/|www\.)/gi;

export function countLinks(text: string): number {
  return text.match(LINK)?.length ?? 0;
}

const isNewMember = (poster: { role: Role; createdAt: Date }, settings: Settings, now: Date) =>
  !atLeast(poster.role, 'moderator') && now.getTime() - poster.createdAt.getTime() < settings.newMemberHours * 3_600_000;

/** 400 when a new member's post has more links than allowed. */
export function checkNewMemberLinks(poster: { role: Role; createdAt: Date }, body: string, settings: Settings, now: Date): void {
  if (!isNewMember(poster, settings, now)) return;
  if (countLinks(body) > settings.newMemberLinksPerPost) {
    throw new AppError(400, 'too_many_links', 'moderation.tooManyLinks', { field: 'body', params: { field: 'body', max: settings.newMemberLinksPerPost } });
  }
}

/** 'held' for a new member's post with links (while the setting is on): shown to its author and moderators until approved. */
export function holdReasonFor(poster: { role: Role; createdAt: Date }, body: string, settings: Settings, now: Date): 'held' | null {
  return settings.holdFirstPostsWithLinks === 'on' && isNewMember(poster, settings, now) && countLinks(body) > 0 ? 'held' : null;
}

/** Refuses a form whose honeypot field was filled (400, nothing written). */
export function checkHoneypot(value: unknown): void {
  if (typeof value === 'string' && value.trim() !== '') throw new AppError(400, 'honeypot', 'moderation.honeypotCaught', { field: 'form' });
}
