// Owns languages: the message catalogs, locale negotiation and Intl formatting of dates and numbers.
import { en } from '../locales/en.ts';
import { es } from '../locales/es.ts';
import { boundedMemo } from './memo.ts';

export const LOCALES = ['es', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type MessageKey = keyof typeof en;
/** A message is plain text with `{name}` placeholders, or plural forms chosen by `{count}`. */
export type Message = string | { one: string; other: string };
export type Catalog = Record<MessageKey, Message>;

const catalogs: Record<Locale, Catalog> = { en, es };

export function isLocale(value: unknown): value is Locale {
  return value === 'es' || value === 'en';
}

/** Picks the first supported language of an Accept-Language header, honouring q-values. */
// Browsers send a handful of distinct Accept-Language values: each is parsed once.
const acceptLanguage = boundedMemo(1000, parseAcceptLanguage);

export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  return header ? acceptLanguage(header) : undefined;
}

function parseAcceptLanguage(header: string): Locale | undefined {
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, order) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { base: tag.trim().toLowerCase().split('-')[0], weight: Number.isFinite(weight) ? weight : 0, order };
    })
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.order - b.order);
  return ranked.find((entry) => isLocale(entry.base))?.base as Locale | undefined;
}

export type Params = Record<string, string | number>;

const pluralRules: Record<Locale, Intl.PluralRules> = {
  en: new Intl.PluralRules('en'),
  es: new Intl.PluralRules('es'),
};

export function translate(locale: Locale, key: MessageKey, params: Params = {}): string {
  const message = catalogs[locale][key] ?? catalogs.en[key] ?? key;
  let text: string;
  if (typeof message === 'string') {
    text = message;
  } else {
    const count = Number(params.count ?? 0);
    text = pluralRules[locale].select(count) === 'one' ? message.one : message.other;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(locale, value) : value;
  });
}

const numberFormats = new Map<string, Intl.NumberFormat>();
export function formatNumber(locale: Locale, value: number, options: Intl.NumberFormatOptions = {}): string {
  const cacheKey = locale + JSON.stringify(options);
  let format = numberFormats.get(cacheKey);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(cacheKey, format);
  }
  return format.format(value);
}

const dateFormats: Record<Locale, Intl.DateTimeFormat> = {
  en: new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }),
  es: new Intl.DateTimeFormat('es', { dateStyle: 'medium', timeZone: 'UTC' }),
};
export function formatDate(locale: Locale, date: Date): string {
  return dateFormats[locale].format(date);
}

const relativeFormats: Record<Locale, Intl.RelativeTimeFormat> = {
  en: new Intl.RelativeTimeFormat('en', { numeric: 'auto' }),
  es: new Intl.RelativeTimeFormat('es', { numeric: 'auto' }),
};
/** "3 hours ago" / "hace 3 horas"; older than a week falls back to the date. */
export function formatRelative(locale: Locale, date: Date, now: Date = new Date()): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relativeFormats[locale].format(seconds, 'second');
  if (abs < 3600) return relativeFormats[locale].format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relativeFormats[locale].format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86400) return relativeFormats[locale].format(Math.round(seconds / 86400), 'day');
  return formatDate(locale, date);
}

/** Everything a template needs to speak the visitor's language. */
export interface I18n {
  locale: Locale;
  t: (key: MessageKey, params?: Params) => string;
  number: (value: number, options?: Intl.NumberFormatOptions) => string;
  date: (date: Date) => string;
  ago: (date: Date) => string;
}

const i18nCache = new Map<Locale, I18n>();
export function i18nFor(locale: Locale): I18n {
  let i18n = i18nCache.get(locale);
  if (!i18n) {
    i18n = {
      locale,
      t: (key, params) => translate(locale, key, params),
      number: (value, options) => formatNumber(locale, value, options),
      date: (date) => formatDate(locale, date),
      ago: (date) => formatRelative(locale, date),
    };
    i18nCache.set(locale, i18n);
  }
  return i18n;
}
