// Owns the admin's first steps after setup: a short checklist of what a new forum still needs, each item
// marked done from the settings and accounts as they are now, each linking to where it is done.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { count, inArray } from 'drizzle-orm';
import { users } from '../../db/schema.ts';
import { requireRole } from '../../plugins/auth.ts';
import { settingDefinitions } from '../settings/definitions.ts';

export const CHECKLIST_PATH = '/admin/welcome';

export default async function checklistPages(app: FastifyInstance) {
  const adminOnly = async (request: FastifyRequest) => {
    requireRole(request, 'admin');
  };

  app.get(CHECKLIST_PATH, { onRequest: adminOnly }, async (request, reply) => {
    const settings = app.settings();
    const helpers = app.db.select({ n: count() }).from(users).where(inArray(users.role, ['moderator', 'staff'])).get()?.n ?? 0;
    const steps = [
      { key: 'siteName', done: settings.siteName.trim() !== '', href: '/admin/settings#field-siteName' },
      { key: 'support', done: settings.supportUrl !== settingDefinitions.supportUrl.default, href: '/admin/settings#field-supportUrl' },
      { key: 'languages', done: null, href: '/admin/settings#field-defaultLocale', value: request.i18n.t(`language.${settings.defaultLocale}`) },
      {
        key: 'costs',
        done: settings.costPerContact !== settingDefinitions.costPerContact.default || settings.currency !== settingDefinitions.currency.default,
        href: '/admin/settings#field-costPerContact',
      },
      { key: 'staff', done: helpers > 0, href: '/users' },
    ];
    return reply.page('admin/checklist', { steps }, { title: request.i18n.t('ux.checklist.title'), noindex: true });
  });
}
