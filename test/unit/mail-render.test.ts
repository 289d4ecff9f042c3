// Mail rendering and log redaction as pure functions: one template, two parts, escaped; headers safe; links out of logs.
import { describe, expect, it } from 'vitest';
import { loggableUrl as redactUrl } from '../../src/plugins/access-log.ts';
import { headerSafe, renderMail } from '../../src/features/mail/render.ts';
import { UnsubscribeLinks } from '../../src/features/mail/unsubscribe.ts';
import { lastDigestMoment } from '../../src/features/notifications/worker.ts';

describe('renderMail', () => {
  const context = { baseUrl: 'https://forum.example.com', unsubscribeUrl: 'https://forum.example.com/unsubscribe/1/mention/x', preferencesUrl: 'https://forum.example.com/settings/notifications' };

  it('renders text and HTML from one template, in each language, escaping member text only in HTML', () => {
    const data = { username: 'Ana <b>', linkPath: '/questions/1/x', items: [{ key: 'notifications.text.mention', actor: 'Bob & "Co"', title: '<img src=x onerror=alert(1)>' }] };
    const en = renderMail('notification', 'en', data, context);
    const es = renderMail('notification', 'es', data, context);
    expect(en.subject).toBe('Bob & "Co" mentioned you in “<img src=x onerror=alert(1)>”');
    expect(es.subject).toBe('Bob & "Co" te mencionó en «<img src=x onerror=alert(1)>»');
    expect(en.text).toContain('Hello Ana <b>,');
    expect(en.text).toContain('https://forum.example.com/questions/1/x');
    expect(en.text).toContain('Stop mail of this kind: https://forum.example.com/unsubscribe/1/mention/x');
    expect(en.html).toContain('Hello Ana &lt;b&gt;,');
    expect(en.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(en.html).not.toContain('<img');
    expect(en.html).toContain('<html lang="en">');
    expect(es.html).toContain('<html lang="es">');
  });

  it('security mail has no unsubscribe footer', () => {
    const mail = renderMail('reset-password', 'en', { username: 'ana', linkPath: '/reset/1.abc', hours: 1 }, { baseUrl: 'https://f.example' });
    expect(mail.subject).toBe('Choose a new password');
    expect(mail.text).toContain('https://f.example/reset/1.abc');
    expect(mail.text).toContain('This link works once, for 1 hour.');
    expect(mail.text).not.toContain('unsubscribe');
  });

  it('never makes a link to another site from a path in the data', () => {
    const mail = renderMail('reset-password', 'en', { username: 'a', linkPath: '//evil.example/x', hours: 1 }, { baseUrl: 'https://f.example' });
    expect(mail.text).not.toContain('evil.example');
  });

  it('refuses template names that are paths', () => {
    expect(() => renderMail('../layout', 'en', {}, { baseUrl: 'https://f.example' })).toThrow();
  });
});

describe('headerSafe', () => {
  it('removes every line break and control character and caps the length', () => {
    expect(headerSafe('a\r\nBcc: x@y.z\u2028c\u0000d')).toBe('a Bcc: x@y.z c d');
    expect([...headerSafe('é'.repeat(500))].length).toBe(200);
  });
});

describe('unsubscribe links', () => {
  it('verify only their own user and kind, with the same secret', () => {
    const links = new UnsubscribeLinks('s'.repeat(40));
    const signature = links.path(7, 'mention').split('/').pop()!;
    expect(links.verify(7, 'mention', signature)).toBe(true);
    expect(links.verify(8, 'mention', signature)).toBe(false);
    expect(links.verify(7, 'answer_accepted', signature)).toBe(false);
    expect(new UnsubscribeLinks('t'.repeat(40)).verify(7, 'mention', signature)).toBe(false);
    expect(links.verify(7, 'mention', '')).toBe(false);
  });
});

describe('redactUrl', () => {
  it('keeps one-time and signed links out of the logs', () => {
    expect(redactUrl('/reset/12.secretsecret')).toBe('/reset/[redacted]');
    expect(redactUrl('/verify/12.secretsecret?x=1')).toBe('/verify/[redacted]?x=1');
    expect(redactUrl('/setup/tok')).toBe('/setup/[redacted]');
    expect(redactUrl('/unsubscribe/4/mention/SIG')).toBe('/unsubscribe/4/mention/[redacted]');
    expect(redactUrl('/questions/1/x')).toBe('/questions/1/x');
  });
});

describe('lastDigestMoment', () => {
  it('is the configured UTC hour today once passed, else yesterday', () => {
    expect(lastDigestMoment(new Date('2026-12-06T08:00:00Z'), 7).toISOString()).toBe('2026-12-06T07:00:00.000Z');
    expect(lastDigestMoment(new Date('2026-12-06T06:59:00Z'), 7).toISOString()).toBe('2026-12-05T07:00:00.000Z');
  });
});
