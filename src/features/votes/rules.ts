// Owns the forum's rules as data: reputation deltas and privilege thresholds, each number an operator setting.
// The help page (/help/reputation) renders from these same tables, so the explanation cannot drift.
import type { Settings } from '../settings/definitions.ts';
import { atLeast, type Role } from '../accounts/roles.ts';

export type Privilege = 'voteUp' | 'flag' | 'commentEverywhere' | 'voteDown' | 'closeVote' | 'editOthers';

export const PRIVILEGES: { privilege: Privilege; setting: keyof Settings }[] = [
  { privilege: 'voteUp', setting: 'privilegeVoteUp' },
  { privilege: 'flag', setting: 'privilegeFlag' },
  { privilege: 'commentEverywhere', setting: 'privilegeCommentEverywhere' },
  { privilege: 'voteDown', setting: 'privilegeVoteDown' },
  { privilege: 'closeVote', setting: 'privilegeCloseVote' },
  { privilege: 'editOthers', setting: 'privilegeEditOthers' },
];

export function privilegeThreshold(settings: Settings, privilege: Privilege): number {
  return settings[PRIVILEGES.find((p) => p.privilege === privilege)!.setting] as number;
}

/** Moderators, staff and admins hold every privilege; members earn them with reputation. */
export function hasPrivilege(user: { role: Role; reputation: number }, privilege: Privilege, settings: Settings): boolean {
  return atLeast(user.role, 'moderator') || user.reputation >= privilegeThreshold(settings, privilege);
}

export type VoteValue = -1 | 0 | 1;

/**
 * What a vote in a given state gives, per party. A change of vote first reverses exactly what the
 * previous state gave (the ledger rows of that vote), then applies the new state's row:
 *
 *   state  | post author                  | voter
 *   none   | 0                            | 0
 *   up     | +reputationForUpvote (capped) | 0
 *   down   | -reputationLostPerDownvote   | -reputationCostOfDownvotingAnswer (answers only)
 *
 * The daily cap applies to upvote gains only (as on Stack Exchange); the ledger stores the amount
 * actually given, so a reversal takes back exactly that.
 */
export function voteEffects(value: VoteValue, postType: 'question' | 'answer', settings: Settings) {
  if (value === 1) return { author: settings.reputationForUpvote, authorReason: 'upvote', voter: 0 } as const;
  if (value === -1) {
    return {
      author: -settings.reputationLostPerDownvoteReceived,
      authorReason: 'downvote',
      voter: postType === 'answer' ? -settings.reputationCostOfDownvotingAnswer : 0,
    } as const;
  }
  return { author: 0, authorReason: 'none', voter: 0 } as const;
}

/** Reputation as the ledger defines it: starts at 1 and never falls below 1. */
export function reputationFromLedger(sumOfDeltas: number): number {
  return Math.max(1, 1 + sumOfDeltas);
}
