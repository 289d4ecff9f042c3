// Owns choosing the original of a duplicate: what a flag or close form's "original" field means (a question
// number, a link to a question of this forum, or words to search for), and the questions the search engine
// offers as the original — live, open, visible questions other than the one being flagged or closed.
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, questions } from '../../db/schema.ts';
import { invalid } from '../../lib/errors.ts';
import { questionPath } from '../questions/service.ts';
import type { SearchClient } from '../search/client.ts';
import { searchQuestions } from '../search/service.ts';

/** The field's longest accepted value (the forms' maxlength). */
export const ORIGINAL_FIELD_MAX = 200;
/** Candidates a choose page or the combobox lists at most. */
export const CANDIDATES_MAX = 10;

export type OriginalField = { kind: 'empty' } | { kind: 'id'; id: number } | { kind: 'words'; words: string };

const QUESTION_LINK = /^(?:https?:\/\/[^/\s]+)?\/questions\/(\d{1,10})(?:[/?#]\S*)?$/i;

/**
 * Reads the original field: digits (optionally `#`-prefixed) or a link to a question are a number; any other
 * text is words to search for. A link that is not to a question, or a number out of range, is a 400.
 */
export function parseOriginalField(raw: unknown): OriginalField {
  if (raw === undefined || raw === null) return { kind: 'empty' };
  if (typeof raw === 'number') return validId(raw);
  if (typeof raw !== 'string') throw invalid('duplicateOfId', 'moderation.badOriginal');
  const text = raw.normalize('NFC').trim();
  if (text === '') return { kind: 'empty' };
  const digits = /^#?(\d{1,12})$/.exec(text)?.[1] ?? QUESTION_LINK.exec(text)?.[1];
  if (digits !== undefined) return validId(Number(digits));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.startsWith('/')) throw invalid('duplicateOfId', 'moderation.badOriginalLink');
  return { kind: 'words', words: [...text].slice(0, ORIGINAL_FIELD_MAX).join('') };
}

function validId(id: number): OriginalField {
  if (!Number.isInteger(id) || id < 1 || id > 2 ** 31) throw invalid('duplicateOfId', 'moderation.badOriginal');
  return { kind: 'id', id };
}

export interface OriginalCandidate {
  id: number;
  title: string;
  url: string;
  answerCount: number;
  hasAcceptedAnswer: boolean;
  hasOfficialAnswer: boolean;
}

/** Of these ids, the ones that may be an original: live, open, not hidden, and not the question itself. */
function validTargets(db: Db, ids: number[], questionId: number): Set<number> {
  if (ids.length === 0) return new Set();
  return new Set(
    db
      .select({ id: questions.id })
      .from(questions)
      .where(and(inArray(questions.id, ids), isNull(questions.deletedAt), isNull(questions.hiddenReason), eq(questions.status, 'open')))
      .all()
      .map((r) => r.id)
      .filter((id) => id !== questionId),
  );
}

/**
 * The questions offered as the original of `questionId` for what was typed: the one question a number or link
 * names (when it is a valid target), or the search engine's results for words, best first, without the
 * question itself, closed, deleted or hidden ones. Never logs a search (moderators' typing is not a customer's).
 */
export async function originalCandidates(db: Db, client: SearchClient, questionId: number, field: OriginalField, limit = CANDIDATES_MAX): Promise<OriginalCandidate[]> {
  if (field.kind === 'empty') return [];
  if (field.kind === 'id') {
    if (!validTargets(db, [field.id], questionId).has(field.id)) return [];
    const q = db.select({ id: questions.id, title: questions.title, slug: questions.slug, answerCount: questions.answerCount, acceptedAnswerId: questions.acceptedAnswerId }).from(questions).where(eq(questions.id, field.id)).get();
    if (!q) return [];
    const official = db.select({ id: answers.id }).from(answers).where(and(eq(answers.questionId, q.id), eq(answers.official, true), isNull(answers.deletedAt))).get() !== undefined;
    return [{ id: q.id, title: q.title, url: questionPath(q.id, q.slug), answerCount: q.answerCount, hasAcceptedAnswer: q.acceptedAnswerId !== null, hasOfficialAnswer: official }];
  }
  const page = await searchQuestions(db, client, { q: field.words, pageSize: 30 });
  const valid = validTargets(db, page.items.map((i) => i.id), questionId);
  return page.items
    .filter((i) => valid.has(i.id))
    .slice(0, limit)
    .map((i) => ({ id: i.id, title: i.title, url: i.url, answerCount: i.answerCount, hasAcceptedAnswer: i.hasAcceptedAnswer, hasOfficialAnswer: i.hasOfficialAnswer }));
}

/** The question a choose page is about (its title and link), when it is live. */
export function questionForChoosing(db: Db, id: number): { id: number; title: string; url: string } | undefined {
  const q = db.select({ id: questions.id, title: questions.title, slug: questions.slug }).from(questions).where(and(eq(questions.id, id), isNull(questions.deletedAt))).get();
  return q ? { id: q.id, title: q.title, url: questionPath(q.id, q.slug) } : undefined;
}
