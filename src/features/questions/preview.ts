// Owns the live Markdown preview of the editors (POST /api/v1/preview): the same marked + sanitize-html
// pipeline as a real post, for a signed-in member. Without JavaScript the forms' Preview button does this.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { renderMarkdown } from '../../lib/markdown.ts';
import { requireUser } from '../../plugins/auth.ts';
import { ErrorBody } from './api-shapes.ts';
import { BODY_MAX, cleanText } from './validation.ts';

export default async function previewApi(app: FastifyInstance) {
  app.post(
    '/preview',
    {
      schema: {
        body: Type.Object({ text: Type.String({ maxLength: BODY_MAX * 4 }) }),
        response: { 200: Type.Object({ html: Type.String() }), '4xx': ErrorBody },
      },
    },
    async (request) => {
      requireUser(request);
      // Nothing is stored: a preview of what the post would show.
      return { html: renderMarkdown(cleanText((request.body as { text: string }).text).slice(0, BODY_MAX)) };
    },
  );
}
