// Owns request rate limits. Only actions that opt in (sign-up, sign-in, posting) are limited: page reads are not.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { tooManyRequests } from '../lib/errors.ts';
import type { SettingKey } from '../features/settings/definitions.ts';

/**
 * The limited actions. Each has one budget per client address, shared by every door to it: the page
 * form and the JSON API (and, for sign-up, the first-run setup form) draw on the same count.
 */
export const LIMITED_ACTIONS = {
  signIn: { setting: 'signInPerIpPerMinute', timeWindowMs: 60_000 },
  signUp: { setting: 'signUpPerIpPerHour', timeWindowMs: 3_600_000 },
  posting: { setting: 'postsPerIpPerMinute', timeWindowMs: 60_000 },
} as const satisfies Record<string, { setting: SettingKey; timeWindowMs: number }>;

export type LimitedAction = keyof typeof LIMITED_ACTIONS;

declare module 'fastify' {
  interface FastifyInstance {
    /** The one limiter of an action (an onRequest hook), shared by all of its routes. */
    actionLimit: (action: LimitedAction) => onRequestAsyncHookHandler;
  }
}

export default fp(
  async function rateLimits(app: FastifyInstance) {
    // Routes written with limitFromSetting() for one of these actions' settings join the action's shared
    // limiter instead of getting a store of their own. Added before @fastify/rate-limit's own onRoute hook,
    // which then finds no route config to act on.
    const actionBySetting = new Map<string, LimitedAction>(Object.entries(LIMITED_ACTIONS).map(([action, { setting }]) => [setting, action as LimitedAction]));
    app.addHook('onRoute', (routeOptions) => {
      const groupId = routeOptions.config?.rateLimit ? routeOptions.config.rateLimit.groupId : undefined;
      const action = groupId === undefined ? undefined : actionBySetting.get(groupId);
      if (!action) return;
      routeOptions.config = { ...routeOptions.config, rateLimit: undefined };
      const existing = routeOptions.onRequest;
      const hooks = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
      routeOptions.onRequest = [...hooks, app.actionLimit(action)];
    });
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => tooManyRequests(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
    // Route-level `config.rateLimit` gives every route its own counter store (groupId only renames keys within
    // it), so two routes can never share a budget that way. A limiter made once with the programmatic API owns
    // one store; hooking that same limiter onto each route of an action makes them count together.
    const limiters = new Map<LimitedAction, onRequestAsyncHookHandler>();
    for (const [action, { setting, timeWindowMs }] of Object.entries(LIMITED_ACTIONS) as [LimitedAction, (typeof LIMITED_ACTIONS)[LimitedAction]][]) {
      limiters.set(
        action,
        app.rateLimit({
          // Read on each request so that an operator's change applies without a restart.
          max: async () => app.settings()[setting],
          timeWindow: timeWindowMs,
          keyGenerator: (request: FastifyRequest) => request.ip,
        }) as onRequestAsyncHookHandler,
      );
    }
    app.decorate('actionLimit', (action: LimitedAction) => limiters.get(action)!);
  },
  { name: 'resuelto-rate-limit' },
);

/** Route options that put a route under its action's shared budget: spread them into the route's options. */
export function limitAction(app: FastifyInstance, action: LimitedAction): { onRequest: onRequestAsyncHookHandler } {
  return { onRequest: app.actionLimit(action) };
}

/**
 * Route config for a limit whose size is an operator setting (read on each request). For the settings of the
 * limited actions above it is the same as limitAction() (the route joins the action's one budget); any other
 * setting gives the route a budget of its own, per client address.
 */
export function limitFromSetting(app: FastifyInstance, setting: SettingKey, timeWindowMs: number) {
  return {
    rateLimit: {
      max: async () => app.settings()[setting] as number,
      timeWindow: timeWindowMs,
      groupId: setting,
      keyGenerator: (request: FastifyRequest) => request.ip,
    },
  };
}
