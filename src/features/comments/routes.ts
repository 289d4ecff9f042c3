// Owns the comment forms of the thread page.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { handleForm } from '../../lib/forms.ts';
import { requireUser } from '../../plugins/auth.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { requireLivePost } from '../questions/posts.ts';
import { canonicalSlug, questionPath } from '../questions/service.ts';
import { renderThread } from '../questions/thread-page.ts';
import { addComment } from './service.ts';
import { FORM_BODY_LIMIT, FORM_TEXT_MAX } from '../questions/validation.ts';

const CommentForm = Type.Object({
  postType: Type.Union([Type.Literal('question'), Type.Literal('answer')]),
  postId: Type.Integer({ minimum: 1, maximum: 2 ** 31 }),
  body: Type.String({ maxLength: FORM_TEXT_MAX }),
  _csrf: Type.Optional(Type.String()),
});

export default async function commentPages(app: FastifyInstance) {
  app.post('/comments', { schema: { body: CommentForm }, bodyLimit: FORM_BODY_LIMIT, ...limitAction(app, 'posting') }, async (request, reply) => {
    const user = requireUser(request);
    const body = request.body as { postType: 'question' | 'answer'; postId: number; body: string };
    const post = requireLivePost(app.db, body.postType, body.postId);
    const formName = `comment-${body.postType}-${body.postId}`;
    return handleForm(
      request,
      reply,
      async () => {
        const { id } = addComment(app.db, user, body, app.settings());
        return reply.redirect(questionPath(post.questionId, canonicalSlug(app.db, post.questionId)!) + `#comment-${id}`, 303);
      },
      (errors, status) => renderThread(app, request, reply, post.questionId, { errors: { [formName]: Object.values(errors)[0] }, values: { [formName]: body.body } }, status),
    );
  });
}
