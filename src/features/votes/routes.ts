// Owns the vote buttons of the thread page (plain forms; site.js upgrades them to in-place updates).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { handleForm } from '../../lib/forms.ts';
import { requireUser } from '../../plugins/auth.ts';
import { requireLivePost } from '../questions/posts.ts';
import { canonicalSlug, questionPath } from '../questions/service.ts';
import { renderThread } from '../questions/thread-page.ts';
import { castVote } from './service.ts';

const VoteForm = Type.Object({
  postType: Type.Union([Type.Literal('question'), Type.Literal('answer')]),
  postId: Type.Integer({ minimum: 1, maximum: 2 ** 31 }),
  value: Type.Union([Type.Literal(1), Type.Literal(-1), Type.Literal(0)]),
  _csrf: Type.Optional(Type.String()),
});

export default async function votePages(app: FastifyInstance) {
  app.post('/votes', { schema: { body: VoteForm } }, async (request, reply) => {
    const user = requireUser(request);
    const body = request.body as { postType: 'question' | 'answer'; postId: number; value: 1 | -1 | 0 };
    const post = requireLivePost(app.db, body.postType, body.postId);
    const anchor = body.postType === 'answer' ? `#answer-${body.postId}` : '';
    return handleForm(
      request,
      reply,
      async () => {
        castVote(app.db, user, body, app.settings());
        return reply.redirect(questionPath(post.questionId, canonicalSlug(app.db, post.questionId)!) + anchor, 303);
      },
      (errors, status) => renderThread(app, request, reply, post.questionId, { errors: { [`vote-${body.postType}-${body.postId}`]: Object.values(errors)[0] } }, status),
    );
  });
}
