// i18n: Accept-Language negotiation, message translation with parameters and plurals, and catalog parity.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { en } from '../../src/locales/en.ts';
import { es } from '../../src/locales/es.ts';
import { LOCALES, formatNumber, i18nFor, isLocale, localeFromAcceptLanguage, translate, type MessageKey } from '../../src/lib/i18n.ts';

describe('localeFromAcceptLanguage', () => {
  it.each([
    ['es', 'es'],
    ['en', 'en'],
    ['es-MX', 'es'],
    ['EN-us', 'en'],
    ['en-US,en;q=0.9,es;q=0.8', 'en'],
    ['es-ES,es;q=0.9,en;q=0.8', 'es'],
    ['en;q=0.5, es;q=0.9', 'es'],
    ['en;q=0.9, es;q=0.9', 'en'], // equal weights: the order given
    ['es;q=0.9, en;q=0.9', 'es'],
    ['fr-FR,fr;q=0.9,en;q=0.8,es;q=0.7', 'en'],
    ['fr, de, es;q=0.1', 'es'],
    ['es;q=0, en;q=0.1', 'en'], // q=0 means "not acceptable"
    ['en;q=0', undefined],
    ['  en ; q=0.4 ,  es ; q=0.3 ', 'en'],
    ['*', undefined],
    ['fr', undefined],
    ['', undefined],
    [undefined, undefined],
    ['en;q=abc, es', 'es'], // a broken weight counts as unacceptable, never crashes
    [',,,;;;', undefined],
    ['x'.repeat(10_000), undefined],
  ])('%j → %j', (header, expected) => {
    expect(localeFromAcceptLanguage(header as string | undefined)).toBe(expected);
  });

  it('looks at a bounded number of entries', () => {
    const header = Array.from({ length: 100 }, (_, i) => `x${i}`).join(',') + ',en';
    expect(localeFromAcceptLanguage(header)).toBeUndefined();
  });
});

describe('isLocale', () => {
  it('knows exactly es and en', () => {
    expect(LOCALES).toEqual(['es', 'en']);
    expect(isLocale('es')).toBe(true);
    expect(isLocale('en')).toBe(true);
    for (const value of ['fr', 'EN', 'es-ES', '', undefined, null, 1, {}]) expect(isLocale(value)).toBe(false);
  });
});

describe('translate', () => {
  it('returns plain messages in each language', () => {
    expect(translate('en', 'nav.signIn')).toBe('Sign in');
    expect(translate('es', 'nav.signIn')).toBe('Iniciar sesión');
  });

  it('fills {placeholders}, formatting numbers for the locale', () => {
    expect(translate('en', 'error.rateLimited', { seconds: 30 })).toBe('Too many attempts. Please wait 30 seconds and try again.');
    expect(translate('es', 'error.rateLimited', { seconds: 30 })).toBe('Demasiados intentos. Espera 30 segundos y vuelve a intentarlo.');
    expect(translate('en', 'error.rateLimited', { seconds: 12345 })).toContain('12,345 seconds');
    expect(translate('es', 'error.rateLimited', { seconds: 12345 })).toContain('12.345 segundos');
    expect(translate('en', 'error.invalidField', { field: 'email', reason: 'too long' })).toBe('The value of “email” is not valid: too long.');
  });

  it('leaves a placeholder without a value as it is, and never interprets parameter text', () => {
    expect(translate('en', 'error.invalidField', { field: 'email' })).toBe('The value of “email” is not valid: {reason}.');
    expect(translate('en', 'error.invalidField', { field: '{reason}', reason: '$& $1 <b>' })).toBe('The value of “{reason}” is not valid: $& $1 <b>.');
  });

  it('formatNumber uses the locale’s separators', () => {
    expect(formatNumber('en', 1234567)).toBe('1,234,567');
    expect(formatNumber('es', 1234567)).toBe('1.234.567');
  });

  it('i18nFor binds a locale and is reused', () => {
    const i18n = i18nFor('es');
    expect(i18n.locale).toBe('es');
    expect(i18n.t('nav.signOut')).toBe('Cerrar sesión');
    expect(i18nFor('es')).toBe(i18n);
    expect(i18n.number(1000.5)).toBe('1000,5');
    expect(i18nFor('en').date(new Date('2024-03-05T12:00:00Z'))).toBe('Mar 5, 2024');
    expect(i18n.date(new Date('2024-03-05T12:00:00Z'))).toMatch(/5 mar 2024/);
  });

  it('every plural message of the catalogs has one/other forms and picks the right one', () => {
    for (const [locale, catalog] of [
      ['en', en],
      ['es', es],
    ] as const) {
      for (const [key, message] of Object.entries(catalog)) {
        if (typeof message === 'string') continue;
        const forms = message as { one: string; other: string };
        expect(typeof forms.one, `${locale} ${key}`).toBe('string');
        expect(typeof forms.other, `${locale} ${key}`).toBe('string');
        expect(translate(locale, key as MessageKey, { count: 1 })).toBe(forms.one.replace('{count}', '1'));
        expect(translate(locale, key as MessageKey, { count: 7 })).toBe(forms.other.replace('{count}', '7'));
      }
    }
  });
});

describe('translate with plural objects', () => {
  afterEach(() => {
    vi.doUnmock('../../src/locales/en.ts');
    vi.doUnmock('../../src/locales/es.ts');
    vi.resetModules();
  });

  it('chooses one/other by {count} with each language’s plural rules', async () => {
    vi.resetModules();
    vi.doMock('../../src/locales/en.ts', async (importOriginal) => {
      const original = await importOriginal<typeof import('../../src/locales/en.ts')>();
      return { en: { ...original.en, 'test.answers': { one: '{count} answer by {name}', other: '{count} answers by {name}' } } };
    });
    vi.doMock('../../src/locales/es.ts', async (importOriginal) => {
      const original = await importOriginal<typeof import('../../src/locales/es.ts')>();
      return { es: { ...original.es, 'test.answers': { one: '{count} respuesta de {name}', other: '{count} respuestas de {name}' } } };
    });
    const fresh = await import('../../src/lib/i18n.ts');
    const t = (locale: 'en' | 'es', params: Record<string, string | number>) => fresh.translate(locale, 'test.answers' as MessageKey, params);

    expect(t('en', { count: 1, name: 'Ana' })).toBe('1 answer by Ana');
    expect(t('en', { count: 0, name: 'Ana' })).toBe('0 answers by Ana');
    expect(t('en', { count: 2, name: 'Ana' })).toBe('2 answers by Ana');
    expect(t('en', { count: 1500, name: 'Ana' })).toBe('1,500 answers by Ana');
    expect(t('es', { count: 1, name: 'Ana' })).toBe('1 respuesta de Ana');
    expect(t('es', { count: 0, name: 'Ana' })).toBe('0 respuestas de Ana');
    expect(t('es', { count: 3, name: 'Ana' })).toBe('3 respuestas de Ana');
    expect(t('es', { count: 1500000, name: 'Ana' })).toBe('1.500.000 respuestas de Ana');
    // Without a count, the "other" form with the placeholder kept.
    expect(t('en', { name: 'Ana' })).toBe('{count} answers by Ana');
  });
});

describe('catalogs', () => {
  it('es and en have exactly the same keys', () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
  });

  it('every message has the same shape and the same {placeholders} in both languages', () => {
    const placeholders = (message: unknown) =>
      [...new Set(JSON.stringify(message).match(/\{\w+\}/g) ?? [])].sort();
    for (const key of Object.keys(en) as MessageKey[]) {
      const english = en[key] as unknown;
      const spanish = (es as Record<string, unknown>)[key];
      expect(typeof spanish, key).toBe(typeof english);
      if (typeof english === 'object') expect(Object.keys(spanish as object).sort(), key).toEqual(Object.keys(english as object).sort());
      expect(placeholders(spanish), key).toEqual(placeholders(english));
    }
  });

  it('no message is empty, and Spanish is not a copy of the English catalog', () => {
    for (const [locale, catalog] of [
      ['en', en],
      ['es', es],
    ] as const) {
      for (const [key, message] of Object.entries(catalog)) {
        for (const text of typeof message === 'string' ? [message] : Object.values(message as Record<string, string>)) {
          expect(text.trim().length, `${locale} ${key}`).toBeGreaterThan(0);
        }
      }
    }
    const same = (Object.keys(en) as MessageKey[]).filter((key) => JSON.stringify(en[key]) === JSON.stringify((es as Record<string, unknown>)[key]));
    expect(same.length).toBeLessThan(Object.keys(en).length / 4);
  });
});
