// Owns the words for ledger reasons, so profiles explain every reputation change in the reader's language.
import type { MessageKey, Params } from '../../lib/i18n.ts';
import { UNDONE } from './reputation.ts';

const KNOWN = new Set(['upvote', 'downvote', 'downvote_given', 'accepted', 'accept_given', 'imported']);

export function reputationReasonLabel(t: (key: MessageKey, params?: Params) => string, reason: string): string {
  const undone = reason.endsWith(UNDONE);
  const base = undone ? reason.slice(0, -UNDONE.length) : reason;
  const label = KNOWN.has(base) ? t(`reason.${base}` as MessageKey) : base;
  return undone ? t('reason.undone', { reason: label }) : label;
}
