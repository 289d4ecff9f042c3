// One budget per action: routes hooked with limitAction() and routes configured with limitFromSetting() for the
// same action's setting draw on one count; another setting keeps a count of its own.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { settingDefinitions, type Settings } from '../../src/features/settings/definitions.ts';
import rateLimits, { limitAction, limitFromSetting } from '../../src/plugins/rate-limit.ts';

function defaults(overrides: Partial<Settings>): Settings {
  return { ...(Object.fromEntries(Object.entries(settingDefinitions).map(([key, definition]) => [key, definition.default])) as Settings), ...overrides };
}

describe('rate limits per action', () => {
  it('a limitFromSetting route for an action’s setting shares the action’s budget; another setting does not', async () => {
    const app = Fastify();
    app.decorate('settings', () => defaults({ signInPerIpPerMinute: 3, newMemberHours: 2 }));
    await app.register(rateLimits);
    app.post('/a', { ...limitAction(app, 'signIn') }, async () => 'a');
    app.post('/b', { config: limitFromSetting(app, 'signInPerIpPerMinute', 60_000) }, async () => 'b');
    app.post('/c', { config: limitFromSetting(app, 'newMemberHours', 60_000) }, async () => 'c');
    await app.ready();
    const post = async (url: string) => (await app.inject({ method: 'POST', url, remoteAddress: '192.0.2.1' })).statusCode;
    expect([await post('/a'), await post('/b'), await post('/a')]).toEqual([200, 200, 200]);
    expect(await post('/b')).toBe(429);
    expect(await post('/a')).toBe(429);
    // Its own budget of 2, untouched by the sign-in requests.
    expect([await post('/c'), await post('/c'), await post('/c')]).toEqual([200, 200, 429]);
    // Another address has its own.
    expect((await app.inject({ method: 'POST', url: '/b', remoteAddress: '192.0.2.2' })).statusCode).toBe(200);
    await app.close();
  });
});
