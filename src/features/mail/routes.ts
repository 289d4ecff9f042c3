// Owns the mail pages: the admin outbox (/admin/mail) and the signed one-click unsubscribe links.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, notFound } from '../../lib/errors.ts';
import type { MessageKey } from '../../lib/i18n.ts';
import { requireRole } from '../../plugins/auth.ts';
import { isNotificationKind } from './preferences.ts';
import { mailById, recentMail, unsubscribe, unsubscribeTarget } from './service.ts';

const UnsubscribeParams = Type.Object({
  userId: Type.String({ pattern: '^[0-9]{1,12}$' }),
  kind: Type.String({ maxLength: 41 }),
  signature: Type.String({ maxLength: 100 }),
});

// The HTML part of a mail, shown to an admin on its own: nothing in it may run or load from elsewhere.
const PREVIEW_CSP = "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; sandbox; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export default async function mailPages(app: FastifyInstance) {
  // Other features' kinds (desk_breach, desk_summary, support_case, …) are named by their notifications.kind.* message when they have one.
  const featureKindLabel = (request: FastifyRequest, kind: string) => {
    const key = `notifications.kind.${kind}`;
    const label = request.i18n.t(key as MessageKey);
    return label === key ? kind : label;
  };
  const kindLabel = (request: FastifyRequest, kind: string) =>
    isNotificationKind(kind) ? request.i18n.t(`notifications.kind.${kind}` as MessageKey) : kind === 'digest' ? request.i18n.t('notifications.delivery.daily') : featureKindLabel(request, kind);

  app.get('/admin/mail', async (request, reply) => {
    requireRole(request, 'admin');
    const items = recentMail(app.db).map((item) => ({ ...item, statusLabel: request.i18n.t(`adminMail.status.${item.status}` as MessageKey) }));
    return reply.page('mail/admin-list', { items, keeping: !app.config.smtpUrl }, { title: request.i18n.t('adminMail.title'), noindex: true });
  });

  app.get('/admin/mail/:id', { schema: { params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,12}$' }) }) } }, async (request, reply) => {
    requireRole(request, 'admin');
    const mail = mailById(app.db, Number((request.params as { id: string }).id));
    if (!mail) throw notFound();
    const view = {
      id: mail.id,
      toAddress: mail.toAddress,
      subject: mail.subject,
      status: request.i18n.t(`adminMail.status.${mail.status}` as MessageKey),
      lastError: mail.lastError,
      text: mail.textBody,
      hasHtml: mail.htmlBody !== null,
    };
    return reply.page('mail/admin-message', { mail: view }, { title: mail.subject ?? request.i18n.t('adminMail.title'), noindex: true });
  });

  app.get('/admin/mail/:id/html', { schema: { params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,12}$' }) }) } }, async (request, reply) => {
    requireRole(request, 'admin');
    const mail = mailById(app.db, Number((request.params as { id: string }).id));
    if (!mail?.htmlBody) throw notFound();
    return reply
      .header('content-security-policy', PREVIEW_CSP)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .type('text/html; charset=utf-8')
      .send(mail.htmlBody);
  });

  const checkLink = (params: { userId: string; kind: string; signature: string }) => {
    const userId = Number(params.userId);
    if (!app.unsubscribeLinks.verify(userId, params.kind, params.signature)) throw new AppError(404, 'invalid_link', 'unsubscribe.invalid');
    const target = unsubscribeTarget(app.db, userId);
    if (!target) throw new AppError(404, 'invalid_link', 'unsubscribe.invalid');
    return { userId, kind: params.kind, username: target.username };
  };

  // GET only asks (mail scanners follow links); POST changes. RFC 8058: the mail client POSTs
  // `List-Unsubscribe=One-Click` to the same URL, with no cookie and no CSRF token — the signature is the authority.
  app.get('/unsubscribe/:userId/:kind/:signature', { schema: { params: UnsubscribeParams } }, async (request, reply) => {
    const link = checkLink(request.params as { userId: string; kind: string; signature: string });
    reply.header('referrer-policy', 'no-referrer');
    return reply.page('mail/unsubscribe', { done: false, kind: kindLabel(request, link.kind), name: link.username, action: request.url }, { title: request.i18n.t('unsubscribe.title'), noindex: true });
  });

  app.post(
    '/unsubscribe/:userId/:kind/:signature',
    { schema: { params: UnsubscribeParams }, config: { signedLink: true } },
    async (request, reply) => {
      const link = checkLink(request.params as { userId: string; kind: string; signature: string });
      unsubscribe(app.db, link.userId, link.kind);
      reply.header('referrer-policy', 'no-referrer');
      return reply.page('mail/unsubscribe', { done: true, kind: kindLabel(request, link.kind), name: link.username }, { title: request.i18n.t('unsubscribe.title'), noindex: true });
    },
  );
}
