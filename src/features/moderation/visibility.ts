// Owns who sees a post hidden pending review (flagged as spam or rude, or a new member's first post with links
// held): its author and moderators see it with the reason; everyone else does not see it at all.
import { notFound } from '../../lib/errors.ts';
import { atLeast, type Role } from '../accounts/roles.ts';
import type { QuestionView } from '../questions/service.ts';

export interface Viewer {
  id: number;
  role: Role;
}

/** The thread as this viewer may see it: a hidden question is a 404 to others, hidden answers and comments are left out. */
export function visibleThread(thread: QuestionView, viewer: Viewer | null | undefined): QuestionView {
  const sees = (authorId: number) => !!viewer && (viewer.id === authorId || atLeast(viewer.role, 'moderator'));
  if (thread.hiddenReason && !sees(thread.author.id)) throw notFound();
  const comments = <T extends { hiddenReason?: string | null; author: { id: number } }>(list: T[]) => list.filter((c) => !c.hiddenReason || sees(c.author.id));
  const answers = thread.answers.filter((a) => !a.hiddenReason || sees(a.author.id)).map((a) => ({ ...a, comments: comments(a.comments) }));
  return { ...thread, comments: comments(thread.comments), answers, answerCount: answers.length };
}
