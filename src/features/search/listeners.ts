// Owns what the forum's events mean for search: a thread whose state changed (moderation's actions) or whose
// banner changed (a private support case opened, solved or reopened on it: nothing of the case travels) is written
// to the search change log in the event's own transaction, so the index re-reads it and kept pages of it drop.
import type { Db } from '../../db/client.ts';
import { on, type ForumEvent, type Tx } from '../../lib/events.ts';
import { logSearchChange } from '../questions/service.ts';

/** Registers the listeners (idempotent: the same function each time). */
export function registerSearchListeners(): void {
  on('thread.changed', onThreadChanged);
  on('case.banner', onThreadChanged);
}

function onThreadChanged(tx: Tx | Db, event: Extract<ForumEvent, { type: 'thread.changed' | 'case.banner' }>) {
  logSearchChange(tx, event.questionId, event.at);
}
