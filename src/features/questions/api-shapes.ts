// Owns the JSON shapes of questions, answers and comments in the API (API.md), as TypeBox schemas and mappers.
import { Type } from 'typebox';
import type { AnswerView, AuthorView, CommentView, QuestionSummary, QuestionView } from './service.ts';

export const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

export const Author = Type.Object({ id: Type.Integer(), username: Type.String(), displayName: Type.String(), reputation: Type.Integer() });
export const Comment = Type.Object({ id: Type.Integer(), body: Type.String(), author: Author, createdAt: Type.String() });
export const Answer = Type.Object({
  id: Type.Integer(),
  body: Type.String(),
  bodyHtml: Type.String(),
  score: Type.Integer(),
  author: Author,
  createdAt: Type.String(),
  accepted: Type.Boolean(),
  official: Type.Boolean(),
  comments: Type.Array(Comment),
});
export const Question = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  slug: Type.String(),
  url: Type.String(),
  body: Type.String(),
  bodyHtml: Type.String(),
  language: Type.String(),
  tags: Type.Array(Type.String()),
  score: Type.Integer(),
  viewCount: Type.Integer(),
  answerCount: Type.Integer(),
  author: Author,
  createdAt: Type.String(),
  lastActivityAt: Type.String(),
  status: Type.String(),
  acceptedAnswerId: Type.Union([Type.Integer(), Type.Null()]),
  duplicateOfId: Type.Union([Type.Integer(), Type.Null()]),
  source: Type.Union([Type.Object({ site: Type.String(), id: Type.Integer(), url: Type.String(), licence: Type.String() }), Type.Null()]),
  answers: Type.Array(Answer),
  comments: Type.Array(Comment),
});
export const QuestionSummarySchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  slug: Type.String(),
  url: Type.String(),
  tags: Type.Array(Type.String()),
  score: Type.Integer(),
  answerCount: Type.Integer(),
  hasAcceptedAnswer: Type.Boolean(),
  viewCount: Type.Integer(),
  author: Author,
  createdAt: Type.String(),
  lastActivityAt: Type.String(),
});

const author = (a: AuthorView) => ({ id: a.id, username: a.username, displayName: a.displayName, reputation: a.reputation });
const comment = (c: CommentView) => ({ id: c.id, body: c.body, author: author(c.author), createdAt: c.createdAt.toISOString() });

export function answerJson(a: AnswerView) {
  return {
    id: a.id,
    body: a.bodyMd,
    bodyHtml: a.bodyHtml,
    score: a.score,
    author: author(a.author),
    createdAt: a.createdAt.toISOString(),
    accepted: a.accepted,
    official: a.official,
    comments: a.comments.map(comment),
  };
}

export function questionJson(q: QuestionView, baseUrl: string) {
  return {
    id: q.id,
    title: q.title,
    slug: q.slug,
    url: `${baseUrl}/questions/${q.id}/${q.slug}`,
    body: q.bodyMd,
    bodyHtml: q.bodyHtml,
    language: q.language,
    tags: q.tags,
    score: q.score,
    viewCount: q.viewCount,
    answerCount: q.answers.length,
    author: author(q.author),
    createdAt: q.createdAt.toISOString(),
    lastActivityAt: q.lastActivityAt.toISOString(),
    status: q.status,
    acceptedAnswerId: q.acceptedAnswerId,
    duplicateOfId: q.duplicateOfId,
    source: q.source ? { ...q.source, licence: 'CC BY-SA 3.0' } : null,
    answers: q.answers.map(answerJson),
    comments: q.comments.map(comment),
  };
}

export function summaryJson(s: QuestionSummary, baseUrl: string) {
  return {
    id: s.id,
    title: s.title,
    slug: s.slug,
    url: baseUrl + s.url,
    tags: s.tags,
    score: s.score,
    answerCount: s.answerCount,
    hasAcceptedAnswer: s.hasAcceptedAnswer,
    viewCount: s.viewCount,
    author: author(s.author),
    createdAt: s.createdAt.toISOString(),
    lastActivityAt: s.lastActivityAt.toISOString(),
  };
}
