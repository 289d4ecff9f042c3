// Owns the decorations the plugins add to fastify's instance, request and reply, in one place.
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { SessionUser } from '../features/accounts/sessions.ts';
import type { Settings } from '../features/settings/definitions.ts';
import type { SearchClient } from '../features/search/client.ts';
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
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: Config;
    settings: () => Settings;
    searchIndex: SearchClient;
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
