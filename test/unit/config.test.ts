// loadConfig: the environment variables of API.md, validated once, with messages an operator can act on.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).name).toBe('ConfigError');
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databasePath).toBe(path.resolve('./data/resuelto.db'));
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.secureCookies).toBe(false);
    expect(config.env).toBe('development');
    expect(config.trustProxy).toBe(false);
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ PORT: '', HOST: '', DATABASE_PATH: '', BASE_URL: '', NODE_ENV: '' });
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', baseUrl: 'http://localhost:3000', env: 'development' });
  });

  it('reads every variable', () => {
    const config = loadConfig({ PORT: '8080', HOST: '0.0.0.0', DATABASE_PATH: 'tmp/x/forum.db', BASE_URL: 'https://forum.example.com', NODE_ENV: 'production' });
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.databasePath).toBe(path.resolve('tmp/x/forum.db'));
    expect(path.isAbsolute(config.databasePath)).toBe(true);
    expect(config.baseUrl).toBe('https://forum.example.com');
    expect(config.env).toBe('production');
    expect(config.logLevel).toBe('info');
  });

  it('derives the default BASE_URL from PORT', () => {
    expect(loadConfig({ PORT: '4321' }).baseUrl).toBe('http://localhost:4321');
  });

  it('makes cookies Secure exactly when BASE_URL is https', () => {
    expect(loadConfig({ BASE_URL: 'https://forum.example.com' }).secureCookies).toBe(true);
    expect(loadConfig({ BASE_URL: 'HTTPS://Forum.Example.com' }).secureCookies).toBe(true);
    expect(loadConfig({ BASE_URL: 'http://forum.example.com' }).secureCookies).toBe(false);
    expect(loadConfig({}).secureCookies).toBe(false);
  });

  it('normalises BASE_URL: no trailing slash, lower-case host, path kept', () => {
    expect(loadConfig({ BASE_URL: 'https://forum.example.com/' }).baseUrl).toBe('https://forum.example.com');
    expect(loadConfig({ BASE_URL: 'https://Forum.Example.com' }).baseUrl).toBe('https://forum.example.com');
    expect(loadConfig({ BASE_URL: 'https://example.com/community//' }).baseUrl).toBe('https://example.com/community');
    expect(loadConfig({ BASE_URL: 'https://forum.example.com:8443' }).baseUrl).toBe('https://forum.example.com:8443');
  });

  it.each(['abc', '-1', '65536', '99999', '3000.5', '1e3', ' 3000', '0x10', '123456'])('refuses PORT=%j, naming it and the value', (port) => {
    const error = configError({ PORT: port });
    expect(error.message).toContain('PORT');
    expect(error.message).toContain(`"${port}"`);
    expect(error.message).toMatch(/0 to 65535/);
  });

  it.each(['0', '1', '80', '65535'])('accepts PORT=%s', (port) => {
    expect(loadConfig({ PORT: port }).port).toBe(Number(port));
  });

  it.each([
    ['not a url', /absolute http\(s\) URL/],
    ['forum.example.com', /absolute http\(s\) URL/],
    ['/relative', /absolute http\(s\) URL/],
    ['ftp://forum.example.com', /must start with http:\/\/ or https:\/\//],
    ['javascript:alert(1)', /must start with http:\/\/ or https:\/\//],
    ['file:///etc/passwd', /must start with http:\/\/ or https:\/\//],
    ['https://forum.example.com/?x=1', /query or fragment/],
    ['https://forum.example.com/#top', /query or fragment/],
  ])('refuses BASE_URL=%j with a clear message', (baseUrl, message) => {
    const error = configError({ BASE_URL: baseUrl });
    expect(error.message).toContain('BASE_URL');
    expect(error.message).toMatch(message);
    expect(error.message).toContain(baseUrl);
  });

  it.each(['staging', 'prod', 'PRODUCTION', 'dev', ' production'])('refuses NODE_ENV=%j, listing what is allowed', (nodeEnv) => {
    const error = configError({ NODE_ENV: nodeEnv });
    expect(error.message).toContain('NODE_ENV');
    expect(error.message).toContain('"production"');
    expect(error.message).toContain('"development"');
    expect(error.message).toContain(`"${nodeEnv}"`);
  });

  it('accepts NODE_ENV production, development and test (test is quiet)', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).env).toBe('production');
    expect(loadConfig({ NODE_ENV: 'development' }).env).toBe('development');
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
  });

  it('validates LOG_LEVEL and TRUST_PROXY', () => {
    expect(loadConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(configError({ LOG_LEVEL: 'loud' }).message).toMatch(/LOG_LEVEL.*"loud"/);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(configError({ TRUST_PROXY: 'maybe' }).message).toMatch(/TRUST_PROXY.*"maybe"/);
  });

  it('reports the first problem as a ConfigError, never a bare TypeError', () => {
    const error = configError({ PORT: 'x', BASE_URL: 'nope', NODE_ENV: 'nope' });
    expect(error.message).toMatch(/PORT/);
  });
});
