// Owns the decorations the plugins add to fastify's instance, request and reply, in one place.
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { SessionUser } from '../features/accounts/sessions.ts';
import type { Settings } from '../features/settings/definitions.ts';
import type { SearchClient } from '../features/search/client.ts';
import type { MailSender } from '../features/mail/sender.ts';
import type { UnsubscribeLinks } from '../features/mail/unsubscribe.ts';
import type { NotificationWorker } from '../features/notifications/worker.ts';
import type { BreachAlertLoop } from '../features/desk/breaches.ts';
import type { RelatedQuestions } from '../features/search/related.ts';
import type { EventBuffer } from '../features/deflection/events.ts';
import type { I18n } from '../lib/i18n.ts';
import type { SharedPageHooks } from './page-cache.ts';
import type { SharedPage } from './views.ts';

export interface PageOptions {
  status?: number;
  /** Page title (already translated); the site name is appended. */
  title?: string;
  /** Adds `<meta name="robots" content="noindex">` for pages search engines should skip. */
  noindex?: boolean;
  /** The meta description (and Open Graph / Twitter card description); default: the home page's. */
  description?: string;
  /** Path and query of the canonical URL; default: the request's path without its query. */
  canonicalPath?: string;
  /** Open Graph type; default `website`. */
  ogType?: 'website' | 'article';
  /** Language of the page's content when it differs from the chrome's (a thread): Content-Language, og:locale. */
  contentLanguage?: 'es' | 'en';
  /** schema.org JSON-LD documents for the page (see src/features/feeds/structured-data.ts). */
  jsonLd?: Record<string, unknown>[];
  /** Atom feeds of the page, linked with `<link rel="alternate" type="application/atom+xml">`. */
  feeds?: { title: string; href: string }[];
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: Config;
    settings: () => Settings;
    searchIndex: SearchClient;
    /** The outbox's sender loop; tests call `mail.flush()` to deliver what is due now. */
    mail: MailSender;
    unsubscribeLinks: UnsubscribeLinks;
    /** The notification fan-out loop; tests call `notifications.flush()` to run what is due now. */
    notifications: NotificationWorker;
    /** The desk's first-response alert loop; tests call `deskAlerts.run(now)`. */
    deskAlerts: BreachAlertLoop;
    /** The signed-in member's unread notification count (the header's bell). */
    unreadNotifications: (userId: number) => number;
    relatedQuestions: RelatedQuestions;
    deflectionEvents: EventBuffer;
  }
  interface FastifyRequest {
    user: SessionUser | null;
    /** How the request authenticated: a session cookie, a bearer token, or not at all. */
    authKind: 'cookie' | 'bearer' | null;
    sessionToken: string | null;
    i18n: I18n;
  }
  interface FastifyReply {
    page: (template: string, data?: Record<string, unknown>, options?: PageOptions) => Promise<FastifyReply>;
    /** A page identical for every signed-out visitor (but for the CSRF token): cached until content changes. */
    sharedPage: (build: () => Promise<SharedPage> | SharedPage, hooks?: SharedPageHooks) => Promise<FastifyReply>;
  }
}
