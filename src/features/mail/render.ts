// Owns turning an outbox row into a mail: subject, plain text and HTML from one eta template, in the recipient's language.
//
// A mail template (views/mail/<name>.eta) is written once with a few block helpers — p(text), button(path,
// label), item(text, path) — and rendered twice: as plain text, and as HTML where every helper escapes what
// it prints (eta escapes `<%= %>` output too). Links are site paths made absolute with BASE_URL; nothing from
// a member's text can become markup or a header.
import path from 'node:path';
import { Eta } from 'eta';
import { escapeHtml } from '../../lib/escape.ts';
import { i18nFor, type Locale, type MessageKey, type Params } from '../../lib/i18n.ts';
import { VIEWS_DIR } from '../../plugins/views.ts';

export interface RenderContext {
  baseUrl: string;
  /** One-click unsubscribe and preferences links, for mail that is not security mail. */
  unsubscribeUrl?: string;
  preferencesUrl?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const MAIL_DIR = path.join(VIEWS_DIR, 'mail');
const textEta = new Eta({ views: MAIL_DIR, autoEscape: false, autoTrim: false, cache: true });
const htmlEta = new Eta({ views: MAIL_DIR, autoEscape: true, autoTrim: false, cache: true });

/** One line, no control characters (CR/LF above all), at most 200 characters: safe as a Subject header. */
export function headerSafe(text: string, max = 200): string {
  const line = text.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').replace(/\s+/g, ' ').trim();
  return [...line].length > max ? [...line].slice(0, max - 1).join('') + '…' : line;
}

const TEMPLATE_NAME = /^[a-z][a-z0-9-]{0,60}$/;

export function renderMail(template: string, locale: Locale, data: Record<string, unknown>, context: RenderContext): RenderedMail {
  if (!TEMPLATE_NAME.test(template)) throw new Error(`bad mail template name ${JSON.stringify(template)}`);
  const i18n = i18nFor(locale);
  const params: Params = {};
  for (const [key, value] of Object.entries(data)) if (typeof value === 'string' || typeof value === 'number') params[key] = value;
  const t = (key: MessageKey | string, extra: Params = {}) => i18n.t(key as MessageKey, { ...params, ...extra });
  const siteName = i18n.t('site.name');
  const absolute = (sitePath: unknown) => (typeof sitePath === 'string' && sitePath.startsWith('/') && !sitePath.startsWith('//') ? context.baseUrl + sitePath : context.baseUrl + '/');
  // A notification mail's subject is its first event, with how many more it gathers.
  const items = Array.isArray(data.items) ? (data.items as Record<string, string | number | null>[]) : [];
  if (template === 'notification' && items.length > 0 && typeof data.subject !== 'string') {
    const first = items[0];
    const text = i18n.t(String(first.key) as MessageKey, { actor: String(first.actor ?? ''), title: String(first.title ?? '') });
    params.subject = items.length > 1 ? i18n.t('notifications.subject.many', { text, count: items.length - 1 }) : text;
  }
  const subject = headerSafe(t(`mail.${template}.subject`));

  const common = { data, t, locale, siteName, baseUrl: context.baseUrl, unsubscribeUrl: context.unsubscribeUrl, preferencesUrl: context.preferencesUrl, url: absolute };
  const text = textEta.render(template, {
    ...common,
    mode: 'text',
    p: (line: string) => `${line}\n\n`,
    button: (sitePath: string, label: string) => `${label}:\n${absolute(sitePath)}\n\n`,
    item: (line: string, sitePath?: string) => `- ${line}${sitePath ? `\n  ${absolute(sitePath)}` : ''}\n`,
  });
  const htmlBody = htmlEta.render(template, {
    ...common,
    mode: 'html',
    p: (line: string) => `<p>${escapeHtml(line)}</p>\n`,
    button: (sitePath: string, label: string) => `<p><a href="${escapeHtml(absolute(sitePath))}">${escapeHtml(label)}</a></p>\n`,
    item: (line: string, sitePath?: string) => `<li>${sitePath ? `<a href="${escapeHtml(absolute(sitePath))}">${escapeHtml(line)}</a>` : escapeHtml(line)}</li>\n`,
  });
  const footerText = context.unsubscribeUrl
    ? `--\n${t('mail.footer.why', { site: siteName })}\n${t('mail.footer.preferences')}: ${context.preferencesUrl}\n${t('mail.footer.unsubscribe')}: ${context.unsubscribeUrl}\n`
    : `--\n${t('mail.footer.security', { site: siteName })}\n`;
  const footerHtml = context.unsubscribeUrl
    ? `<p>${escapeHtml(t('mail.footer.why', { site: siteName }))}</p>\n<p><a href="${escapeHtml(context.preferencesUrl!)}">${escapeHtml(t('mail.footer.preferences'))}</a> · <a href="${escapeHtml(context.unsubscribeUrl)}">${escapeHtml(t('mail.footer.unsubscribe'))}</a></p>\n`
    : `<p>${escapeHtml(t('mail.footer.security', { site: siteName }))}</p>\n`;
  const html =
    `<!doctype html>\n<html lang="${locale}">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(subject)}</title>\n</head>\n<body>\n` +
    `<p><a href="${escapeHtml(context.baseUrl + '/')}">${escapeHtml(siteName)}</a></p>\n${htmlBody}<hr>\n${footerHtml}</body>\n</html>\n`;
  return { subject, text: `${text.trim()}\n\n${footerText}`, html };
}
