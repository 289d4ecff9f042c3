// The site's settings on /admin/settings (name, logo, home description, default language), through app.inject
// on a real SQLite file: saved by an admin only, checked first (nothing written on a bad value), shown at once
// on pages and feeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSettings } from '../../src/features/settings/service.ts';
import { buildTestApp, loginAs, type TestApp } from '../helper.ts';

let t: TestApp;
const FORM = {
  costPerContact: '8',
  costPerCommunityContact: '1',
  currency: 'USD',
  deflectionWindowHours: '72',
  deflectionPotentialShare: '0.2',
  holdoutPercent: '0',
  supportUrl: 'mailto:support@example.com',
  internalNetworks: '',
  searchSynonyms: 'wifi, wlan',
};
const settingsRows = () => t.db.$client.prepare('select count(*) from settings').pluck().get() as number;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('site settings', () => {
  it('the admin page shows the site fields, with the languages as choices', async () => {
    const { browser } = await loginAs(t.app, t.db, 'admin');
    const page = await browser.get('/admin/settings', { 'accept-language': 'es' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<legend>Sitio</legend>');
    for (const key of ['siteName', 'siteLogoUrl', 'homeDescription']) expect(page.body).toContain(`name="${key}"`);
    expect(page.body).toMatch(/<select id="field-defaultLocale" name="defaultLocale"[^>]*>\s*<option value="es" selected>Español<\/option>\s*<option value="en">English<\/option>/);
  });

  it('an admin saves them; pages and feeds use them at once', async () => {
    const { browser } = await loginAs(t.app, t.db, 'admin');
    const response = await browser.submit('/admin/settings', { ...FORM, siteName: '  Acme   Fibra  ', siteLogoUrl: 'https://cdn.example.com/acme.png', homeDescription: 'Respuestas de clientes de Acme Fibra.', defaultLocale: 'en' });
    expect(response.statusCode).toBe(303);
    const settings = getSettings(t.db);
    expect(settings.siteName).toBe('Acme Fibra');
    expect(settings.siteLogoUrl).toBe('https://cdn.example.com/acme.png');
    expect(settings.homeDescription).toBe('Respuestas de clientes de Acme Fibra.');
    expect(settings.defaultLocale).toBe('en');
    const home = (await t.app.inject({ method: 'GET', url: '/?after-save' })).body;
    expect(home).toContain('<html lang="en">');
    expect(home).toContain('<meta name="description" content="Respuestas de clientes de Acme Fibra.">');
    expect(home).toContain('<img class="brand-logo" src="https://cdn.example.com/acme.png" alt="" width="32" height="32"> Acme Fibra</a>');
    expect(home).toContain('<meta property="og:site_name" content="Acme Fibra">');
    expect((await t.app.inject({ method: 'GET', url: '/feeds/questions' })).body).toContain('<title>Newest questions – Acme Fibra</title>');
  });

  it('a form without the site fields keeps them (older forms, other fields’ tests)', async () => {
    const { browser } = await loginAs(t.app, t.db, 'admin');
    expect((await browser.submit('/admin/settings', { ...FORM, currency: 'EUR' })).statusCode).toBe(303);
    expect(getSettings(t.db).siteName).toBe('Acme Fibra');
    expect(getSettings(t.db).currency).toBe('EUR');
  });

  it('refuses a logo that is not https or a path of this site, and an unknown language, saving nothing', async () => {
    const { browser } = await loginAs(t.app, t.db, 'admin');
    for (const [field, value] of [
      ['siteLogoUrl', 'javascript:alert(1)'],
      ['siteLogoUrl', 'http://insecure.example.com/logo.png'],
      ['siteLogoUrl', '//evil.example.com/logo.png'],
      ['siteLogoUrl', '/logo.png" onerror="x'],
      ['defaultLocale', 'fr'],
      ['siteName', 'x'.repeat(81)],
      ['homeDescription', 'x'.repeat(301)],
    ]) {
      const before = settingsRows();
      const snapshot = JSON.stringify(getSettings(t.db));
      const response = await browser.submit('/admin/settings', { ...FORM, siteName: 'Changed name', [field]: value });
      expect(response.statusCode, `${field}=${value}`).toBe(400);
      expect(response.body).toContain(`href="#field-${field}"`);
      expect(settingsRows()).toBe(before);
      expect(JSON.stringify(getSettings(t.db))).toBe(snapshot);
    }
  });

  it('only admins may change them', async () => {
    for (const role of ['member', 'moderator', 'staff'] as const) {
      const { browser } = await loginAs(t.app, t.db, role);
      const response = await browser.submit('/admin/settings', { ...FORM, siteName: `By a ${role}` });
      expect(response.statusCode).toBe(403);
    }
    expect(getSettings(t.db).siteName).toBe('Acme Fibra');
  });
});
