// Owns the admin settings page: the costs, currency and rules of the deflection report, the support address,
// internal networks, the suggestion holdout and search synonyms. Every field is checked first; then all are
// saved together through the settings service (which validates them again), or none is.
import { BlockList, isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { handleForm } from '../../lib/forms.ts';
import { isLocale, LOCALES, type I18n, type MessageKey } from '../../lib/i18n.ts';
import { requireRole } from '../../plugins/auth.ts';
import { settingDefinitions, type SettingKey, type Settings } from '../settings/definitions.ts';
import { setSettings } from '../settings/service.ts';

export const SETTINGS_PATH = '/admin/settings';

type Kind = 'decimal' | 'integer' | 'currency' | 'url' | 'networks' | 'text' | 'line' | 'logo' | 'locale' | 'choice';
type Group = 'site' | 'languages' | 'costs' | 'report' | 'support' | 'privacy' | 'search' | 'reputation' | 'privileges' | 'limits' | 'accounts' | 'mail' | 'moderation' | 'desk';
interface FieldSpec {
  key: SettingKey;
  kind: Kind;
  group: Group;
  min?: number;
  max?: number;
  /** Longest text accepted (textareas and the URL). */
  maxLength?: number;
  /** Left out of a submitted form, the setting keeps its value (fields added after the first version of the page). */
  keepWhenMissing?: boolean;
  /** For a choice: the values it takes (labels are adminSettings.<key>.<value>). */
  choices?: readonly string[];
}

/** A number setting whose range comes from its definition (definitions.ts has the last word). */
const numberField = (key: SettingKey, group: Group, kind: 'integer' | 'decimal' = 'integer'): FieldSpec => ({
  key,
  kind,
  group,
  min: settingDefinitions[key].min,
  max: settingDefinitions[key].max,
  keepWhenMissing: true,
});

/** The fields of the page, in order. Ranges match src/features/settings/definitions.ts, which has the last word. */
export const SETTINGS_FIELDS: readonly FieldSpec[] = [
  { key: 'siteName', kind: 'line', group: 'site', maxLength: 80, keepWhenMissing: true },
  { key: 'siteLogoUrl', kind: 'logo', group: 'site', maxLength: 500, keepWhenMissing: true },
  { key: 'homeDescription', kind: 'text', group: 'site', maxLength: 300, keepWhenMissing: true },
  { key: 'defaultLocale', kind: 'locale', group: 'languages', keepWhenMissing: true },
  { key: 'costPerContact', kind: 'decimal', group: 'costs', min: 0, max: 1_000_000 },
  { key: 'costPerCommunityContact', kind: 'decimal', group: 'costs', min: 0, max: 1_000_000 },
  { key: 'currency', kind: 'currency', group: 'costs' },
  { key: 'deflectionWindowHours', kind: 'integer', group: 'report', min: 1, max: 24 * 30 },
  { key: 'deflectionPotentialShare', kind: 'decimal', group: 'report', min: 0, max: 1 },
  { key: 'holdoutPercent', kind: 'integer', group: 'report', min: 0, max: 50 },
  { key: 'supportUrl', kind: 'url', group: 'support', maxLength: 510 },
  { key: 'internalNetworks', kind: 'networks', group: 'privacy', maxLength: 5_000 },
  { key: 'searchSynonyms', kind: 'text', group: 'search', maxLength: 20_000 },
  numberField('reputationForUpvote', 'reputation'),
  numberField('reputationLostPerDownvoteReceived', 'reputation'),
  numberField('reputationCostOfDownvotingAnswer', 'reputation'),
  numberField('reputationForAcceptedAnswer', 'reputation'),
  numberField('reputationForAccepting', 'reputation'),
  numberField('reputationDailyVoteCap', 'reputation'),
  numberField('privilegeVoteUp', 'privileges'),
  numberField('privilegeCommentEverywhere', 'privileges'),
  numberField('privilegeVoteDown', 'privileges'),
  numberField('privilegeEditOthers', 'privileges'),
  numberField('privilegeFlag', 'privileges'),
  numberField('privilegeCloseVote', 'privileges'),
  numberField('closeVotesNeeded', 'moderation'),
  numberField('flagsPerDay', 'moderation'),
  numberField('flagsToHide', 'moderation'),
  numberField('newMemberLinksPerPost', 'moderation'),
  { key: 'holdFirstPostsWithLinks', kind: 'choice', group: 'moderation', choices: ['on', 'off'], keepWhenMissing: true },
  { key: 'moderationLogNames', kind: 'choice', group: 'moderation', choices: ['shown', 'hidden'], keepWhenMissing: true },
  numberField('newMemberHours', 'limits'),
  numberField('newMemberQuestionsPerDay', 'limits'),
  numberField('newMemberAnswersPerDay', 'limits'),
  numberField('newMemberSecondsBetweenPosts', 'limits'),
  numberField('secondsBetweenPosts', 'limits'),
  numberField('duplicateBodyMinutes', 'limits'),
  numberField('postsPerIpPerMinute', 'limits'),
  numberField('signInPerIpPerMinute', 'accounts'),
  numberField('signUpPerIpPerHour', 'accounts'),
  numberField('failedSignInsBeforeDelay', 'accounts'),
  numberField('failedSignInsPerAccountBeforeDelay', 'accounts'),
  numberField('failedSignInsPerClientBeforeDelay', 'accounts'),
  numberField('failedSignInWindowMinutes', 'accounts'),
  numberField('failedSignInDelaySeconds', 'accounts'),
  numberField('sessionIdleDays', 'accounts'),
  numberField('apiTokenDays', 'accounts'),
  numberField('passwordResetsPerAccountPerHour', 'accounts'),
  numberField('passwordResetsPerIpPerHour', 'accounts'),
  numberField('verificationMailsPerHour', 'accounts'),
  numberField('mentionsPerComment', 'mail'),
  numberField('coalesceMinutes', 'mail'),
  numberField('digestHourUtc', 'mail'),
  numberField('mailClaimSeconds', 'mail'),
  numberField('firstResponseTargetHours', 'desk'),
  numberField('deskStaleAnsweredDays', 'desk'),
  { key: 'deskBusinessHours', kind: 'line', group: 'desk', maxLength: 40, keepWhenMissing: true },
];
/** The page's sections, in order: site and languages first, the report's figures, then the forum's rules. */
const GROUPS = ['site', 'languages', 'support', 'costs', 'report', 'privacy', 'search', 'reputation', 'privileges', 'limits', 'moderation', 'accounts', 'mail', 'desk'] as const;

// Generous limits: the page, not the schema, tells the admin what is wrong with a value.
const SettingsBody = Type.Object({
  ...Object.fromEntries(SETTINGS_FIELDS.map((field) => [field.key, Type.Optional(Type.String({ maxLength: 100_000 }))])),
  _csrf: Type.Optional(Type.String()),
});

type Values = Partial<Record<SettingKey, string>>;
type Errors = Record<string, string>;

class FieldError extends Error {
  constructor(
    readonly messageKey: MessageKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(messageKey);
  }
}

/** A decimal as people type it: "8", "8.5", "8,50"; a comma before exactly three digits may be a thousands separator, so it is refused. */
export function parseDecimal(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^\d{1,9}(?:[.,]\d{1,6})?$/.test(text) || /^\d+,\d{3}$/.test(text)) return undefined;
  return Number(text.replace(',', '.'));
}

export function parseInteger(raw: string): number | undefined {
  const text = raw.trim();
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** Entries of the internal networks field, as the recorder reads them (whitespace, commas or semicolons). */
export function networkEntries(raw: string): string[] {
  return raw.split(/[\s,;]+/).filter(Boolean);
}

/** Whether one entry is an address or a CIDR block that the recorder's BlockList accepts. */
export function isNetwork(entry: string): boolean {
  const parts = entry.split('/');
  if (parts.length > 2) return false;
  const [address, bits] = parts;
  const family = isIP(address);
  if (family === 0) return false;
  const maxBits = family === 4 ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return false;
  const prefix = bits === undefined ? maxBits : Number(bits);
  if (prefix > maxBits) return false;
  try {
    new BlockList().addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return true;
  } catch {
    return false;
  }
}

function isCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('currency');
  return supported ? supported.includes(code) : true;
}

function isSupportUrl(text: string): boolean {
  if (!/^(https?:\/\/|mailto:)[^\s]{1,500}$/.test(text)) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'mailto:' || url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** A logo: an https URL, or a path on this site (never protocol-relative, never with quotes or spaces). */
function isLogoUrl(text: string): boolean {
  if (/[\s"<>\\]/.test(text) || text.length > 500) return false;
  if (text.startsWith('/')) return !text.startsWith('//');
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Reads one field from the form, or throws a FieldError that says what to write instead. */
function parseField(field: FieldSpec, raw: string | undefined): unknown {
  if (raw === undefined) {
    if (field.keepWhenMissing) return KEEP;
    throw new FieldError('error.required');
  }
  const text = raw.replace(/\r\n?/g, '\n');
  if (field.maxLength !== undefined && text.length > field.maxLength) throw new FieldError('adminSettings.error.tooLong', { max: field.maxLength });
  switch (field.kind) {
    case 'decimal': {
      const value = parseDecimal(text);
      if (value === undefined || value < field.min! || value > field.max!) throw new FieldError('adminSettings.error.decimal', { min: String(field.min), max: String(field.max) });
      return value;
    }
    case 'integer': {
      const value = parseInteger(text);
      if (value === undefined || value < field.min! || value > field.max!) throw new FieldError('adminSettings.error.integer', { min: String(field.min), max: String(field.max) });
      return value;
    }
    case 'currency': {
      const code = text.trim().toUpperCase();
      if (!isCurrency(code)) throw new FieldError('adminSettings.error.currency');
      return code;
    }
    case 'url': {
      const url = text.trim();
      if (!isSupportUrl(url)) throw new FieldError('adminSettings.error.url');
      return url;
    }
    case 'networks': {
      const entries = networkEntries(text);
      const bad = entries.find((entry) => !isNetwork(entry));
      if (bad !== undefined) throw new FieldError('adminSettings.error.network', { entry: bad.length > 60 ? `${bad.slice(0, 60)}…` : bad });
      return entries.join('\n');
    }
    case 'text':
      return text.trim();
    case 'line':
      return text.replace(/\s+/g, ' ').trim();
    case 'logo': {
      const url = text.trim();
      if (url !== '' && !isLogoUrl(url)) throw new FieldError('adminSettings.error.logo');
      return url;
    }
    case 'locale': {
      const code = text.trim().toLowerCase();
      if (!isLocale(code)) throw new FieldError('adminSettings.error.locale');
      return code;
    }
    case 'choice': {
      const choice = text.trim();
      if (!field.choices?.includes(choice)) throw new FieldError('adminSettings.error.choice');
      return choice;
    }
  }
}

/** parseField's answer for a field left out of the form: the setting keeps its value. */
const KEEP = Symbol('keep');

/** Every field checked; the values to save, or a message per field at fault. */
export function readSettingsForm(body: Values, t: I18n['t']): { values: Partial<Record<SettingKey, unknown>>; errors: Errors } {
  const values: Partial<Record<SettingKey, unknown>> = {};
  const errors: Errors = {};
  for (const field of SETTINGS_FIELDS) {
    try {
      const value = parseField(field, body[field.key]);
      if (value !== KEEP) values[field.key] = value;
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      errors[field.key] = t(error.messageKey, { field: t(`adminSettings.${field.key}` as MessageKey), ...error.params });
    }
  }
  return { values, errors };
}

function defaultText(field: FieldSpec, t: I18n['t']): string {
  const value = settingDefinitions[field.key].default;
  if (field.kind === 'locale') return t(`language.${value}` as MessageKey);
  if (field.kind === 'choice') return t(`adminSettings.${field.key}.${value}` as MessageKey);
  if (value === '') return t('ux.settings.emptyDefault');
  if (field.kind === 'text' || field.kind === 'networks') return String(value).split('\n')[0] + (String(value).includes('\n') ? ' …' : '');
  return String(value);
}

/** The current settings as the form shows them. */
function formValues(settings: Settings): Values {
  return Object.fromEntries(SETTINGS_FIELDS.map((field) => [field.key, String(settings[field.key])])) as Values;
}

export default async function adminPages(app: FastifyInstance) {
  // Before validation and the CSRF check: anyone but an admin gets 401 or 403 and learns nothing more.
  const adminOnly = async (request: FastifyRequest) => {
    requireRole(request, 'admin');
  };

  const showForm = (request: FastifyRequest, reply: FastifyReply, values: Values, errors: Errors, status = 200, saved = false) => {
    const { t } = request.i18n;
    const fields = SETTINGS_FIELDS.map((field) => ({
      key: field.key,
      kind: field.kind,
      // What the setting is when nobody changed it, as the field would show it.
      defaultValue: defaultText(field, t),
      group: field.group,
      multiline: field.kind === 'networks' || field.kind === 'text',
      rows: field.key === 'searchSynonyms' ? 8 : field.key === 'homeDescription' ? 3 : 4,
      options:
        field.kind === 'locale'
          ? LOCALES.map((code) => ({ value: code, label: t(`language.${code}` as MessageKey) }))
          : field.kind === 'choice'
            ? field.choices!.map((choice) => ({ value: choice, label: t(`adminSettings.${field.key}.${choice}` as MessageKey) }))
            : undefined,
      inputmode: field.kind === 'decimal' ? 'decimal' : field.kind === 'integer' ? 'numeric' : field.kind === 'url' || field.kind === 'logo' ? 'url' : undefined,
      autocapitalize: field.kind === 'currency' ? 'characters' : undefined,
      maxlength: field.kind === 'currency' ? 3 : field.kind === 'locale' ? 2 : field.kind === 'choice' ? undefined : field.maxLength,
      label: t(`adminSettings.${field.key}` as MessageKey),
      hint: t(`adminSettings.${field.key}Hint` as MessageKey),
      value: values[field.key] ?? '',
      error: errors[field.key],
    }));
    const groups = GROUPS.map((group) => ({ key: group, legend: t(`adminSettings.${group}` as MessageKey), fields: fields.filter((f) => f.group === group) }));
    return reply.page('admin/settings', { groups, errors, saved, action: SETTINGS_PATH }, { status, title: t('adminSettings.title'), noindex: true });
  };

  app.get(SETTINGS_PATH, { onRequest: adminOnly, schema: { querystring: Type.Object({ saved: Type.Optional(Type.String({ maxLength: 10 })) }) } }, async (request, reply) =>
    showForm(request, reply, formValues(app.settings()), {}, 200, (request.query as { saved?: string }).saved === '1'),
  );

  app.post(SETTINGS_PATH, { onRequest: adminOnly, schema: { body: SettingsBody } }, async (request, reply) => {
    const body = request.body as Values;
    const { t } = request.i18n;
    const { values, errors } = readSettingsForm(body, t);
    if (Object.keys(errors).length > 0) return showForm(request, reply, body, errors, 400);
    return handleForm(
      request,
      reply,
      () => {
        // All or nothing, each value validated again by its definition.
        setSettings(app.db, values);
        return reply.redirect(`${SETTINGS_PATH}?saved=1`, 303);
      },
      (refused, status) => showForm(request, reply, body, refused, status),
    );
  });
}
