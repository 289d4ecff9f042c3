// Owns answers: answering, editing, deleting, accepting (asker or moderator) and official (staff) answers.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { emit } from '../../lib/events.ts';
import { answers, questions, reputationEvents, revisions } from '../../db/schema.ts';
import { AppError, checkFields, forbidden, invalid, notFound } from '../../lib/errors.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { atLeast } from '../accounts/roles.ts';
import { checkPostingLimits, type Poster } from '../questions/limits.ts';
import { canEdit, logSearchChange, nextRevisionNumber, questionPath } from '../questions/service.ts';
import { validBody, validEditComment } from '../questions/validation.ts';
import type { Settings } from '../settings/definitions.ts';
import { record, reverse, UNDONE } from '../votes/reputation.ts';
import { assertAcceptsAnswers } from '../moderation/close.ts';
import { holdReasonFor } from '../moderation/new-members.ts';

/** Answers a live question; staff answers are official from the start. */
export function postAnswer(db: Db, author: Poster, questionId: number, input: { body: unknown }, settings: Settings, now = new Date()): { id: number } {
  const body = validBody(input.body);
  const bodyHtml = renderMarkdown(body);
  return db.transaction((tx) => {
    const question = tx.select({ id: questions.id }).from(questions).where(and(eq(questions.id, questionId), isNull(questions.deletedAt))).get();
    if (!question) throw notFound();
    assertAcceptsAnswers(tx, questionId);
    checkPostingLimits(tx, author, 'answer', body, settings, now);
    const { id } = tx
      .insert(answers)
      .values({ questionId, authorId: author.id, bodyMd: body, bodyHtml, official: atLeast(author.role, 'staff'), createdAt: now, hiddenReason: holdReasonFor(author, body, settings, now) })
      .returning({ id: answers.id })
      .get();
    tx.update(questions)
      .set({ answerCount: sql`${questions.answerCount} + 1`, lastActivityAt: now })
      .where(eq(questions.id, questionId))
      .run();
    tx.insert(revisions).values({ postType: 'answer', postId: id, number: 1, authorId: author.id, bodyMd: body, createdAt: now }).run();
    logSearchChange(tx, questionId, now);
    emit(tx, { type: 'answer.posted', questionId, answerId: id, authorId: author.id, official: atLeast(author.role, 'staff'), at: now });
    return { id };
  });
}

function liveAnswer(db: Db, answerId: number) {
  const answer = db
    .select({ answer: answers, askerId: questions.authorId, acceptedAnswerId: questions.acceptedAnswerId })
    .from(answers)
    .innerJoin(questions, eq(questions.id, answers.questionId))
    .where(and(eq(answers.id, answerId), isNull(answers.deletedAt), isNull(questions.deletedAt)))
    .get();
  if (!answer) throw notFound();
  return answer;
}

export function editAnswer(db: Db, editor: Poster, answerId: number, input: { body: unknown; comment?: unknown }, settings: Settings, now = new Date()): void {
  const { answer } = liveAnswer(db, answerId);
  if (!canEdit(editor, answer.authorId, settings)) throw forbidden();
  const { body, comment } = checkFields({ body: () => validBody(input.body), comment: () => validEditComment(input.comment) });
  if (body === answer.bodyMd) return;
  const bodyHtml = renderMarkdown(body);
  db.transaction((tx) => {
    tx.update(answers).set({ bodyMd: body, bodyHtml, editedAt: now }).where(eq(answers.id, answerId)).run();
    tx.update(questions).set({ lastActivityAt: now }).where(eq(questions.id, answer.questionId)).run();
    tx.insert(revisions)
      .values({ postType: 'answer', postId: answerId, number: nextRevisionNumber(tx, 'answer', answerId), authorId: editor.id, bodyMd: body, comment, createdAt: now })
      .run();
    logSearchChange(tx, answer.questionId, now);
    emit(tx, { type: 'post.edited', questionId: answer.questionId, postType: 'answer', postId: answerId, editorId: editor.id, authorId: answer.authorId, at: now });
  });
}

const ACCEPT_REASONS = ['accepted', 'accept_given', 'accepted' + UNDONE, 'accept_given' + UNDONE];

/**
 * Accepts `answerId` on its question (or un-accepts with null). Allowed for the asker, and for
 * moderators, staff and admins on the asker's behalf. Moving the mark moves the +15/+2 with it;
 * accepting your own answer gives nothing.
 */
export function acceptAnswer(
  db: Db,
  actor: Poster,
  questionId: number,
  answerId: number | null,
  settings: Settings,
  now = new Date(),
): { acceptedAnswerId: number | null } {
  return db.transaction((tx) => {
    const question = tx.select().from(questions).where(and(eq(questions.id, questionId), isNull(questions.deletedAt))).get();
    if (!question) throw notFound();
    if (actor.id !== question.authorId && !atLeast(actor.role, 'moderator')) throw forbidden();
    if (answerId !== null) {
      const answer = tx
        .select({ id: answers.id })
        .from(answers)
        .where(and(eq(answers.id, answerId), eq(answers.questionId, questionId), isNull(answers.deletedAt)))
        .get();
      if (!answer) throw invalid('answerId', 'error.answerNotInQuestion');
    }
    if (question.acceptedAnswerId === answerId) return { acceptedAnswerId: answerId };
    if (question.acceptedAnswerId !== null) {
      reverse(
        tx,
        and(eq(reputationEvents.postType, 'answer'), eq(reputationEvents.postId, question.acceptedAnswerId), inArray(reputationEvents.reason, ACCEPT_REASONS))!,
        now,
      );
    }
    if (answerId !== null) {
      const answer = tx.select({ authorId: answers.authorId }).from(answers).where(eq(answers.id, answerId)).get()!;
      if (answer.authorId !== question.authorId) {
        record(
          tx,
          [
            { userId: answer.authorId, delta: settings.reputationForAcceptedAnswer, reason: 'accepted', postType: 'answer', postId: answerId },
            ...(actor.id !== answer.authorId
              ? [{ userId: actor.id, delta: settings.reputationForAccepting, reason: 'accept_given', postType: 'answer' as const, postId: answerId }]
              : []),
          ],
          now,
        );
      }
    }
    tx.update(questions).set({ acceptedAnswerId: answerId, acceptedAt: answerId === null ? null : now, acceptedById: answerId === null ? null : actor.id, lastActivityAt: now }).where(eq(questions.id, questionId)).run();
    logSearchChange(tx, questionId, now);
    if (answerId !== null) emit(tx, { type: 'answer.accepted', questionId, answerId, actorId: actor.id, at: now });
    return { acceptedAnswerId: answerId };
  });
}

/** Staff (and admins) mark or unmark an answer as the company's official answer. */
export function setOfficial(db: Db, actor: Poster, answerId: number, official: boolean, now = new Date()): void {
  if (!atLeast(actor.role, 'staff')) throw forbidden();
  const { answer } = liveAnswer(db, answerId);
  db.transaction((tx) => {
    tx.update(answers).set({ official }).where(eq(answers.id, answerId)).run();
    logSearchChange(tx, answer.questionId, now);
    if (official && !answer.official) emit(tx, { type: 'answer.official', questionId: answer.questionId, answerId, actorId: actor.id, at: now });
  });
}

/** Deletes an answer (its author, or a moderator). An accepted answer is un-accepted first. */
export function deleteAnswer(db: Db, actor: Poster, answerId: number, settings: Settings, now = new Date()): void {
  // One transaction: the un-accepting (with its reputation) and the deletion happen together or not at all.
  db.transaction((tx) => {
    const { answer, acceptedAnswerId } = liveAnswer(db, answerId);
    if (actor.id !== answer.authorId && !atLeast(actor.role, 'moderator')) throw forbidden();
    if (acceptedAnswerId === answerId) {
      // Un-accepting is done on the asker's behalf, so the system acts as a moderator here (a nested savepoint).
      acceptAnswer(db, { ...actor, role: 'moderator' }, answer.questionId, null, settings, now);
    }
    const result = tx.update(answers).set({ deletedAt: now }).where(and(eq(answers.id, answerId), isNull(answers.deletedAt))).run();
    if (result.changes === 0) throw new AppError(409, 'already_deleted', 'error.notFound');
    tx.update(questions).set({ answerCount: sql`max(0, ${questions.answerCount} - 1)` }).where(eq(questions.id, answer.questionId)).run();
    logSearchChange(tx, answer.questionId, now);
  });
}

export interface AnswerByUser {
  id: number;
  score: number;
  accepted: boolean;
  questionTitle: string;
  url: string;
  createdAt: Date;
}

/** A user's live answers, best first, for their profile. */
export function answersBy(db: Db, userId: number, limit = 10): { items: AnswerByUser[]; total: number } {
  const where = and(eq(answers.authorId, userId), isNull(answers.deletedAt), isNull(questions.deletedAt));
  const rows = db
    .select({
      id: answers.id,
      score: answers.score,
      createdAt: answers.createdAt,
      questionId: questions.id,
      questionTitle: questions.title,
      slug: questions.slug,
      acceptedAnswerId: questions.acceptedAnswerId,
    })
    .from(answers)
    .innerJoin(questions, eq(questions.id, answers.questionId))
    .where(where)
    .orderBy(sql`${answers.score} desc`, sql`${answers.id} desc`)
    .limit(limit)
    .all();
  const total = db.select({ n: sql<number>`count(*)` }).from(answers).innerJoin(questions, eq(questions.id, answers.questionId)).where(where).get()?.n ?? 0;
  return {
    total: Number(total),
    items: rows.map((r) => ({
      id: r.id,
      score: r.score,
      accepted: r.acceptedAnswerId === r.id,
      questionTitle: r.questionTitle,
      url: `${questionPath(r.questionId, r.slug)}#answer-${r.id}`,
      createdAt: r.createdAt,
    })),
  };
}

/** The question a live answer belongs to, or a 404. */
export function answerQuestionId(db: Db, answerId: number): number {
  return liveAnswer(db, answerId).answer.questionId;
}
