// Owns the users directory, avatars and the edit-profile form.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { handleForm } from '../../lib/forms.ts';
import { isLocale } from '../../lib/i18n.ts';
import { LANGUAGE_COOKIE } from '../../plugins/i18n.ts';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import { requireUser } from '../../plugins/auth.ts';
import { signInFirst } from '../questions/routes.ts';
import { identiconSvg } from './avatar.ts';
import { ABOUT_MAX, DISPLAY_NAME_MAX, LOCATION_MAX, USER_SORTS, listUsers, profileDetails, updateProfile, type UserSort } from './service.ts';

const ProfileBody = Type.Object({
  displayName: Type.String({ maxLength: 1000 }),
  about: Type.String({ maxLength: 100_000 }),
  location: Type.String({ maxLength: 1000 }),
  locale: Type.String({ maxLength: 10 }),
  _csrf: Type.Optional(Type.String()),
});

export default async function userPages(app: FastifyInstance) {
  app.get(
    '/users',
    { schema: { querystring: Type.Object({ sort: Type.Optional(Type.String({ maxLength: 50 })), q: Type.Optional(Type.String({ maxLength: 500 })), page: Type.Optional(Type.String({ maxLength: 10 })) }) } },
    async (request, reply) => {
      const query = request.query as { sort?: string; q?: string; page?: string };
      const sort: UserSort = (USER_SORTS as readonly string[]).includes(query.sort ?? '') ? (query.sort as UserSort) : 'reputation';
      const q = query.q?.trim().slice(0, 60) ?? '';
      const list = listUsers(app.db, { sort, q, page: pageNumber(query.page) });
      const base = `/users?sort=${sort}${q ? `&q=${encodeURIComponent(q)}` : ''}`;
      return reply.page('users/list', { list, sort, sorts: USER_SORTS, q, base, pages: pageCount(list.total, list.pageSize) }, { title: request.i18n.t('ux.users.title'), noindex: !!q || list.page > 1 });
    },
  );

  // The same name always draws the same picture: browsers and proxies may keep it for a day.
  app.get('/users/:username/avatar.svg', { schema: { params: Type.Object({ username: Type.String({ maxLength: 200 }) }) } }, async (request, reply) => {
    const { username } = request.params as { username: string };
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(identiconSvg(username));
  });

  const editForm = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors: Record<string, string>, status = 200) =>
    reply.page('users/edit', { values, errors, limits: { displayName: DISPLAY_NAME_MAX, about: ABOUT_MAX, location: LOCATION_MAX } }, { status, title: request.i18n.t('ux.profile.editTitle'), noindex: true });

  app.get('/profile/edit', async (request, reply) => {
    if (!request.user) return signInFirst(reply, '/profile/edit');
    const details = profileDetails(app.db, request.user.id);
    return editForm(request, reply, { displayName: request.user.displayName, about: details.aboutMd ?? '', location: details.location ?? '', locale: details.locale ?? '' }, {});
  });

  app.post('/profile/edit', { schema: { body: ProfileBody } }, async (request, reply) => {
    const user = requireUser(request);
    const body = request.body as { displayName: string; about: string; location: string; locale: string };
    return handleForm(
      request,
      reply,
      async () => {
        updateProfile(app.db, user.id, body);
        // The footer's cookie speaks before the account (plugins/i18n.ts): keep the two in step.
        if (isLocale(body.locale)) reply.setCookie(LANGUAGE_COOKIE, body.locale, { path: '/', maxAge: 365 * 86_400, sameSite: 'lax', httpOnly: true, secure: app.config.secureCookies });
        else reply.clearCookie(LANGUAGE_COOKIE, { path: '/' });
        return reply.redirect(`/users/${encodeURIComponent(user.username)}?saved=1`, 303);
      },
      (errors, status) => editForm(request, reply, body, errors, status),
    );
  });
}
