// Owns the process configuration: the environment variables of API.md, validated once into one typed object.
import path from 'node:path';

export type Environment = 'production' | 'development' | 'test';

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  /** Public origin without a trailing slash, e.g. `https://forum.example.com`. */
  baseUrl: string;
  /** Cookies get `Secure` when the public origin is https. */
  secureCookies: boolean;
  env: Environment;
  logLevel: string;
  /** Trust X-Forwarded-* from a reverse proxy (needed for real client IPs behind one). */
  trustProxy: boolean;
  /** SMTP server mail is sent through; undefined keeps mail in the outbox for /admin/mail (the embedded default). */
  smtpUrl?: string;
  /** The From of every mail: an address, or `Name <address>`. */
  mailFrom: string;
  /** Requests slower than this are logged at warn, whatever LOG_LEVEL turns off (plugins/access-log.ts). */
  slowRequestMs: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function readPort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

function readEnvironment(raw: string | undefined): Environment {
  const value = raw === undefined || raw === '' ? 'development' : raw;
  if (value !== 'production' && value !== 'development' && value !== 'test') {
    throw new ConfigError(`NODE_ENV must be "production" or "development", got "${raw}"`);
  }
  return value;
}

function readBaseUrl(raw: string | undefined, port: number): string {
  const value = raw === undefined || raw === '' ? `http://localhost:${port}` : raw;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`BASE_URL must be an absolute http(s) URL such as https://forum.example.com, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`BASE_URL must start with http:// or https://, got "${value}"`);
  }
  if (url.search || url.hash) throw new ConfigError(`BASE_URL must not have a query or fragment, got "${value}"`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function readBoolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function readSmtpUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SMTP_URL must be a URL such as smtp://user:pass@mail.example.com:587 (the value is not shown: it may hold a password)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError('SMTP_URL must start with smtp:// (STARTTLS when offered) or smtps:// (TLS)');
  if (!url.hostname) throw new ConfigError('SMTP_URL must name a host');
  return raw;
}

// A bare address, or a display name and an address in angle brackets; never a line break (header injection).
const MAIL_FROM_PATTERN = /^(?:[^<>\r\n\p{Cc}]{0,100}<[^\s<>@\p{Cc}]{1,64}@[^\s<>@\p{Cc}]+\.[^\s<>@\p{Cc}]+>|[^\s<>@\p{Cc}]{1,64}@[^\s<>@\p{Cc}]+\.[^\s<>@\p{Cc}]+)$/u;

function readMailFrom(raw: string | undefined, baseUrl: string): string {
  if (raw === undefined || raw === '') {
    const host = new URL(baseUrl).hostname;
    return `Resuelto <noreply@${host.includes('.') ? host : `${host}.invalid`}>`;
  }
  if (!MAIL_FROM_PATTERN.test(raw)) throw new ConfigError(`MAIL_FROM must be an address or "Name <address>" on one line, got "${raw.replace(/[\r\n]/g, ' ')}"`);
  return raw;
}

/** Reads and validates the configuration; throws ConfigError with a message an operator can act on. */
export function loadConfig(env: Env = process.env): Config {
  const port = readPort(env.PORT);
  const nodeEnv = readEnvironment(env.NODE_ENV);
  const baseUrl = readBaseUrl(env.BASE_URL, port);
  const host = env.HOST === undefined || env.HOST === '' ? '127.0.0.1' : env.HOST;
  const databasePath = path.resolve(env.DATABASE_PATH === undefined || env.DATABASE_PATH === '' ? './data/resuelto.db' : env.DATABASE_PATH);
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}"`);
  }
  return {
    port,
    host,
    databasePath,
    baseUrl,
    secureCookies: baseUrl.startsWith('https:'),
    env: nodeEnv,
    logLevel,
    trustProxy: readBoolean('TRUST_PROXY', env.TRUST_PROXY, false),
    smtpUrl: readSmtpUrl(env.SMTP_URL),
    mailFrom: readMailFrom(env.MAIL_FROM, baseUrl),
    slowRequestMs: readSlowRequestMs(env.SLOW_REQUEST_MS),
  };
}

function readSlowRequestMs(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1000;
  if (!/^\d{1,7}$/.test(raw)) throw new ConfigError(`SLOW_REQUEST_MS must be a whole number of milliseconds, got "${raw}"`);
  return Number(raw);
}
