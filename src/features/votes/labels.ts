// Owns the words for ledger reasons, so profiles explain every reputation change in the reader's language.
import type { MessageKey, Params } from '../../lib/i18n.ts';
import { UNDONE } from './reputation.ts';

const KNOWN = new Set(['upvote', 'downvote', 'downvote_given', 'accepted', 'accept_given', 'imported']);

/** Reasons that tell of something the profile's owner did: "You …" to the owner, "{name} …" to anyone else. */
const DONE_BY_OWNER = new Set(['downvote_given', 'accept_given']);

/**
 * The words for one ledger reason, written for the viewer: `owner` is the profile's owner as the viewer
 * sees them (omit it, or pass `self: true`, when the viewer is the owner).
 */
export function reputationReasonLabel(t: (key: MessageKey, params?: Params) => string, reason: string, owner?: { self: boolean; name: string }): string {
  const undone = reason.endsWith(UNDONE);
  const base = undone ? reason.slice(0, -UNDONE.length) : reason;
  const byOther = owner && !owner.self && DONE_BY_OWNER.has(base);
  const label = byOther ? t(`ux.reason.${base}.other` as MessageKey, { name: owner.name }) : KNOWN.has(base) ? t(`reason.${base}` as MessageKey) : base;
  return undone ? t('reason.undone', { reason: label }) : label;
}
