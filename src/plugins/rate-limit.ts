// Owns request rate limits. Only routes that opt in (sign-up, sign-in, posting) are limited: page reads are not.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { tooManyRequests } from '../lib/errors.ts';
import type { SettingKey } from '../features/settings/definitions.ts';

export default fp(
  async function rateLimits(app: FastifyInstance) {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => tooManyRequests(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  },
  { name: 'resuelto-rate-limit' },
);

/**
 * Route config for a limit whose size is an operator setting, read on each request so that a change
 * applies without a restart. Each named limit counts separately per client address.
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
