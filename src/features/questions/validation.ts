// Owns what a valid question, answer, tag and comment look like (lengths from the issue, in characters).
import { invalid } from '../../lib/errors.ts';

export const TITLE_MIN = 15;
export const TITLE_MAX = 150;
export const BODY_MIN = 30;
export const BODY_MAX = 30_000;
export const TAGS_MIN = 1;
export const TAGS_MAX = 5;
export const TAG_PATTERN = /^[a-z0-9+#.-]{1,25}$/;
export const COMMENT_MIN = 15;
export const COMMENT_MAX = 600;
export const EDIT_COMMENT_MAX = 300;
/**
 * What a posting form accepts on the wire, well above the limits: an over-long text must reach validation
 * and come back to the form with a message (text kept) rather than end on a bare 413 page.
 */
export const FORM_BODY_LIMIT = 8 * 1024 * 1024;
export const FORM_TEXT_MAX = 4_000_000;
/** Letters or digits a title and a body need at least: 16 emoji or a line of dashes are not a question. */
export const TITLE_MIN_LETTERS = 10;
export const BODY_MIN_LETTERS = 20;

const length = (text: string) => [...text].length;
/** Letters and digits of any script (ñ, 漢, ٣), not symbols, punctuation or emoji. */
export const lettersOrDigits = (text: string) => text.match(/[\p{L}\p{N}]/gu)?.length ?? 0;

/** Normalizes line endings and strips characters that have no business in a post (NUL, other C0 controls but tab/newline). */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

export function validTitle(raw: unknown): string {
  if (typeof raw !== 'string') throw invalid('title', 'error.titleLength', { min: TITLE_MIN, max: TITLE_MAX });
  const title = cleanText(raw).replace(/\s+/g, ' ').trim();
  if (length(title) < TITLE_MIN || length(title) > TITLE_MAX) throw invalid('title', 'error.titleLength', { min: TITLE_MIN, max: TITLE_MAX });
  if (lettersOrDigits(title) < TITLE_MIN_LETTERS) throw invalid('title', 'ux.titleLetters', { min: TITLE_MIN_LETTERS });
  return title;
}

export function validBody(raw: unknown): string {
  if (typeof raw !== 'string') throw invalid('body', 'error.bodyLength', { min: BODY_MIN, max: BODY_MAX });
  const body = cleanText(raw).trim();
  const count = length(body);
  if (count > BODY_MAX) throw invalid('body', 'ux.bodyTooLong', { count, max: BODY_MAX });
  if (count < BODY_MIN) throw invalid('body', 'error.bodyLength', { min: BODY_MIN, max: BODY_MAX });
  if (lettersOrDigits(body) < BODY_MIN_LETTERS) throw invalid('body', 'ux.bodyLetters', { min: BODY_MIN_LETTERS });
  return body;
}

/** Tags from an array or from a space- or comma-separated string; lower-cased, de-duplicated. */
export function validTags(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : null;
  if (!list || list.some((tag) => typeof tag !== 'string')) throw invalid('tags', 'error.tagsCount', { min: TAGS_MIN, max: TAGS_MAX });
  const tags = [...new Set((list as string[]).map((tag) => tag.trim().toLowerCase()).filter(Boolean))];
  if (tags.length < TAGS_MIN || tags.length > TAGS_MAX) throw invalid('tags', 'error.tagsCount', { min: TAGS_MIN, max: TAGS_MAX });
  const bad = tags.find((tag) => !TAG_PATTERN.test(tag));
  if (bad !== undefined) throw invalid('tags', 'error.tagFormat');
  return tags;
}

export function validComment(raw: unknown): string {
  if (typeof raw !== 'string') throw invalid('body', 'error.commentLength', { min: COMMENT_MIN, max: COMMENT_MAX });
  const body = cleanText(raw).replace(/\s+/g, ' ').trim();
  if (length(body) < COMMENT_MIN || length(body) > COMMENT_MAX) throw invalid('body', 'error.commentLength', { min: COMMENT_MIN, max: COMMENT_MAX });
  return body;
}

export function validEditComment(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string') throw invalid('comment', 'error.editCommentLength', { max: EDIT_COMMENT_MAX });
  const comment = cleanText(raw).replace(/\s+/g, ' ').trim();
  if (length(comment) > EDIT_COMMENT_MAX) throw invalid('comment', 'error.editCommentLength', { max: EDIT_COMMENT_MAX });
  return comment || null;
}
