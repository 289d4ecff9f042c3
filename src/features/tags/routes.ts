// Owns the tag pages: what a tag is for, its newest questions and its top answerers; staff edit the description.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { handleForm } from '../../lib/forms.ts';
import { atLeast } from '../accounts/roles.ts';
import { requireUser } from '../../plugins/auth.ts';
import { listQuestions } from '../questions/service.ts';
import { signInFirst } from '../questions/routes.ts';
import { getTag, setTagDescription, TAG_DESCRIPTION_MAX, topAnswerers } from './service.ts';

const NameParams = Type.Object({ name: Type.String({ maxLength: 100 }) });

export default async function tagPages(app: FastifyInstance) {
  app.get('/tags/:name', { schema: { params: NameParams } }, async (request, reply) => {
    const tag = getTag(app.db, (request.params as { name: string }).name);
    const questions = listQuestions(app.db, { tag: tag.name, sort: 'newest', pageSize: 10, withTotal: false });
    return reply.page(
      'tags/show',
      { tag, questions, answerers: topAnswerers(app.db, tag.id), canEdit: atLeast(request.user?.role, 'staff'), description: tag.descriptionMd?.slice(0, 160).replace(/\s+/g, ' ') },
      { title: request.i18n.t('ux.tag.title', { tag: tag.name }) },
    );
  });

  const editForm = (request: FastifyRequest, reply: FastifyReply, name: string, values: Record<string, string>, errors: Record<string, string>, status = 200) =>
    reply.page('tags/edit', { name, values, errors, max: TAG_DESCRIPTION_MAX }, { status, title: request.i18n.t('ux.tag.editTitle', { tag: name }), noindex: true });

  app.get('/tags/:name/edit', { schema: { params: NameParams } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    if (!request.user) return signInFirst(reply, `/tags/${encodeURIComponent(name)}/edit`);
    if (!atLeast(request.user.role, 'staff')) return reply.callNotFound();
    const tag = getTag(app.db, name);
    return editForm(request, reply, tag.name, { description: tag.descriptionMd ?? '' }, {});
  });

  app.post('/tags/:name/edit', { schema: { params: NameParams, body: Type.Object({ description: Type.String({ maxLength: 100_000 }), _csrf: Type.Optional(Type.String()) }) } }, async (request, reply) => {
    const user = requireUser(request);
    const { name } = request.params as { name: string };
    const { description } = request.body as { description: string };
    return handleForm(
      request,
      reply,
      async () => {
        setTagDescription(app.db, user, name, description);
        return reply.redirect(`/tags/${encodeURIComponent(name.toLowerCase())}`, 303);
      },
      (errors, status) => editForm(request, reply, name.toLowerCase(), { description }, errors, status),
    );
  });
}
