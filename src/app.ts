// Builds the forum: the only place where plugins and features are wired together. Tests import this.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import compress from '@fastify/compress';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import underPressure from '@fastify/under-pressure';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { closeDatabase, openDatabase, type Db } from './db/client.ts';
import accountsApi from './features/accounts/api.ts';
import { fillMissingSkeletons } from './features/accounts/service.ts';
import answerPages from './features/answers/routes.ts';
import commentPages from './features/comments/routes.ts';
import questionsApi from './features/questions/api.ts';
import questionPages from './features/questions/routes.ts';
import { memberThreadsState } from './features/questions/member-thread.ts';
import previewApi from './features/questions/preview.ts';
import { ViewCounter } from './features/questions/view-counter.ts';
import { EventBuffer } from './features/deflection/events.ts';
import votePages from './features/votes/routes.ts';
import deflectionRoutes, { deflectionApi } from './features/deflection/routes.ts';
import deflectionPages from './features/deflection/pages.ts';
import adminPages from './features/admin/routes.ts';
import checklistPages from './features/admin/checklist.ts';
import moderationPages from './features/moderation/routes.ts';
import moderationApi from './features/moderation/api.ts';
import { refuseSuspendedMembers } from './features/moderation/suspensions.ts';
import searchApi from './features/search/api.ts';
import { SearchClient } from './features/search/client.ts';
import { RelatedQuestions } from './features/search/related.ts';
import searchPages from './features/search/routes.ts';
import { DEFAULT_SHARD_SIZE } from './features/search/build.ts';
import { searchDirFor } from './features/search/store.ts';
import accountsPages from './features/accounts/routes.ts';
import setupPages from './features/accounts/setup.ts';
import accountMailPages from './features/accounts/mail-routes.ts';
import sitePages from './features/site/routes.ts';
import crawlerRoutes from './features/feeds/routes.ts';
import userPages from './features/users/routes.ts';
import tagPages from './features/tags/routes.ts';
import { getSettings } from './features/settings/service.ts';
import { parseFormBody } from './lib/form-body.ts';
import mailPages from './features/mail/routes.ts';
import casePages from './features/cases/routes.ts';
import casesApi from './features/cases/api.ts';
import deskPages, { deskApi } from './features/desk/routes.ts';
import notificationsApi from './features/notifications/api.ts';
import { registerNotificationListeners } from './features/notifications/listeners.ts';
import { registerSearchListeners } from './features/search/listeners.ts';
import { registerDeskListeners } from './features/desk/listeners.ts';
import notificationPages from './features/notifications/routes.ts';
import { unreadCount } from './features/notifications/service.ts';
import { NotificationWorker } from './features/notifications/worker.ts';
import { BreachAlertLoop } from './features/desk/breaches.ts';
import { MailSender } from './features/mail/sender.ts';
import { UnsubscribeLinks } from './features/mail/unsubscribe.ts';
import { loadOrCreateSecrets } from './lib/secrets.ts';
import { requests, unwatchLoopLag, watchLoopLag } from './lib/loop-lag.ts';
import accessLog, { loggableUrl } from './plugins/access-log.ts';
import auth, { rejectInvalidTokens } from './plugins/auth.ts';
import csrf from './plugins/csrf.ts';
import errors, { answerUnroutableUrl } from './plugins/errors.ts';
import i18n from './plugins/i18n.ts';
import pageCache from './plugins/page-cache.ts';
import rateLimits from './plugins/rate-limit.ts';
import security from './plugins/security.ts';
import views from './plugins/views.ts';
import visitor from './plugins/visitor.ts';
import './plugins/types.ts';

const STATIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../static');

export interface BuildOptions {
  /** An already opened database (tests, CLI); otherwise config.databasePath is opened and migrated. */
  db?: Db;
  /** The one-time first-run setup token, when the forum has no admin yet. */
  setupToken?: string;
  /** A search client shared by several apps (benchmarks); otherwise each app starts its own worker. */
  search?: SearchClient;
  /** How often background loops (mail sender, notification fan-out) look for work; 1 s unless told. */
  backgroundPollMs?: number;
}

// Never log secrets: cookies, tokens, CSRF values and passwords are replaced, and so is the setup token in URLs.
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*._csrf',
];


export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const db = options.db ?? openDatabase(config.databasePath);
  fillMissingSkeletons(db);
  const secrets = loadOrCreateSecrets(config.databasePath);

  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: {
        req: (request) => ({
          method: request.method,
          url: loggableUrl(String(request.url)),
          remoteAddress: request.ip,
        }),
      },
    },
    // One concise line per request instead (plugins/access-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: 1_048_576,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors: answerUnroutableUrl,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('db', db);
  app.decorate('config', config);
  app.decorate('settings', () => getSettings(db));
  const search =
    options.search ??
    new SearchClient(
      { databasePath: config.databasePath, dir: searchDirFor(config.databasePath), shardSize: DEFAULT_SHARD_SIZE, pollMs: 250, compactAt: 1_000 },
      (level, message) => app.log[level](message),
    );
  search.start();
  app.decorate('searchIndex', search);
  // One view counter for every feature: thread pages are rendered by several (encapsulated) feature plugins.
  const viewCounter = new ViewCounter(db);
  viewCounter.start();
  app.decorate('viewCounter', viewCounter);
  // Signed-in members' thread pages: kept skeletons filled per member (features/questions/member-thread.ts).
  app.decorate('memberThreads', memberThreadsState());
  const unsubscribeLinks = new UnsubscribeLinks(secrets.cookieSecret);
  app.decorate('unsubscribeLinks', unsubscribeLinks);
  // One sender loop per process (ARCHITECTURE.md, "Work that leaves the request path"): rows are claimed before
  // they are sent, so a second process would share the outbox safely.
  const mail = new MailSender({ db, config, links: unsubscribeLinks, log: (level, message) => app.log[level](message), pollMs: options.backgroundPollMs });
  mail.start();
  app.decorate('mail', mail);
  // Notifications listen to the forum's events (one job row per event, in the event's transaction) and fan out
  // in the background.
  registerNotificationListeners();
  // Search hears of threads whose state changed (moderation, support cases) through the same events.
  registerSearchListeners();
  // The desk alerts staff of "needs staff attention" flags.
  registerDeskListeners();
  const notificationWorker = new NotificationWorker(db, (level, message) => app.log[level](message), options.backgroundPollMs);
  notificationWorker.start();
  app.decorate('notifications', notificationWorker);
  // First-response alerts of the staff desk: a pass a minute raises "about to breach" and "breached" alerts once.
  const deskAlerts = new BreachAlertLoop(db, (level, message) => app.log[level](message));
  deskAlerts.start();
  app.decorate('deskAlerts', deskAlerts);
  app.decorate('unreadNotifications', (userId: number) => unreadCount(db, userId));
  // Deflection events leave the request path too: written in batches (deflection/events.ts).
  const deflectionEvents = new EventBuffer(db, (error, count) => app.log.error({ err: error, events: count }, 'deflection events not recorded'));
  deflectionEvents.start();
  app.decorate('deflectionEvents', deflectionEvents);
  // Thread pages' related questions, worked out off the request path; a new list drops the thread's kept pages.
  app.decorate('relatedQuestions', new RelatedQuestions(db, search, (questionId) => app.pageCache?.dropQuestion(questionId)));
  app.addHook('onClose', async () => {
    viewCounter.stop();
    deflectionEvents.stop();
    deskAlerts.stop();
    await notificationWorker.stop();
    await mail.stop();
    if (!options.search) await search.stop();
    if (!options.db) closeDatabase(db);
  });

  // Order matters for onRequest hooks: who is asking (session, language, visitor) first, then the shared page
  // cache, which answers signed-out page views from memory before everything after it (helmet included: a
  // kept page keeps the headers helmet gave it).
  // The overload gauge (lib/loop-lag.ts): the event loop's mean delay over the last quarter second, measured by
  // under-pressure (no limits set: it refuses nothing, only measures), and the requests in flight: 'close' comes once
  // a response ends, sent or not.
  await app.register(underPressure, { sampleInterval: 250 });
  const readLag = () => app.memoryUsage().eventLoopDelay;
  watchLoopLag(readLag);
  app.addHook('onClose', async () => unwatchLoopLag(readLag));
  app.addHook('onRequest', (_request, reply, done) => {
    requests.inFlight++;
    reply.raw.once('close', () => requests.inFlight--);
    done();
  });
  await app.register(accessLog, { slowRequestMs: config.slowRequestMs });
  await app.register(auth, { cookieSecret: secrets.cookieSecret, secureCookies: config.secureCookies });
  await app.register(i18n);
  await app.register(visitor, { secureCookies: config.secureCookies });
  await app.register(pageCache);
  await app.register(security, { secureCookies: config.secureCookies });
  app.addHook('onRequest', rejectInvalidTokens);
  // Every HTML and JSON answer gzipped when the client accepts it (pages kept by the page cache come gzipped
  // already, spliced from parts compressed once: compress leaves an answer with a Content-Encoding alone).
  // Compressed in one synchronous call up to 256 KiB (a page is 10–100 KiB; 30 KiB takes about half a millisecond):
  // @fastify/compress's default on 2 cores is 8 KiB, above which it pipes the body through a zlib stream, and each
  // of that stream's steps waits for a turn of the event loop. Under the mixed load that made the search page (29 KiB)
  // and the API's thread JSON 400 ms slower than every other page.
  await app.register(compress, { encodings: ['gzip'], threshold: 1024, syncThreshold: 256 * 1024 });
  // A suspended member reads the page explaining it; their writes are refused with 403 (page or API alike).
  app.addHook('onRequest', refuseSuspendedMembers);
  await app.register(formbody, { parser: parseFormBody });
  await app.register(csrf, { secureCookies: config.secureCookies });
  await app.register(rateLimits);
  await app.register(views, { production: config.env === 'production' });
  await app.register(errors);
  await app.register(fastifyStatic, {
    root: STATIC_DIR,
    prefix: '/static/',
    maxAge: config.env === 'production' ? '1d' : 0,
  });

  app.get('/healthz', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));

  await app.register(sitePages);
  await app.register(crawlerRoutes);
  await app.register(accountsPages);
  await app.register(setupPages, { setupToken: options.setupToken });
  await app.register(accountMailPages);
  await app.register(searchPages);
  await app.register(questionPages);
  await app.register(answerPages);
  await app.register(votePages);
  await app.register(commentPages);
  await app.register(userPages);
  await app.register(tagPages);
  await app.register(accountsApi, { prefix: '/api/v1' });
  await app.register(questionsApi, { prefix: '/api/v1' });
  await app.register(searchApi, { prefix: '/api/v1' });
  await app.register(previewApi, { prefix: '/api/v1' });
  await app.register(deflectionRoutes);
  await app.register(deflectionPages);
  await app.register(adminPages);
  await app.register(checklistPages);
  await app.register(mailPages);
  await app.register(notificationPages);
  await app.register(notificationsApi, { prefix: '/api/v1' });
  await app.register(moderationPages);
  await app.register(moderationApi, { prefix: '/api/v1' });
  await app.register(deflectionApi, { prefix: '/api/v1' });
  await app.register(casePages);
  await app.register(casesApi, { prefix: '/api/v1' });
  await app.register(deskPages);
  await app.register(deskApi, { prefix: '/api/v1' });

  return app;
}
