// Owns result snippets: a short window of the text around the matched words, as parts the template
// escapes and marks. Never HTML from here.
import { boundedMemo } from '../../lib/memo.ts';
import { fold, stem } from './text.ts';

export interface SnippetPart {
  text: string;
  hit: boolean;
}

const WORD = /[\p{L}\p{N}]+(?:[-_.'’·][\p{L}\p{N}]+)*/gu;

/** A word's Spanish and English stems, remembered: the words of snippets repeat from page to page. */
const stemsOf = boundedMemo(50_000, (word: string): [string, string] => {
  const token = fold(word.replace(/[-_.'’·]/g, ''));
  return [stem(token, 'es'), stem(token, 'en')];
});

function isHit(word: string, terms: Set<string>): boolean {
  const both = stemsOf(word);
  return terms.has(both[0]) || terms.has(both[1]);
}

/** Marks the matched words of `text`; with `window`, keeps about that many characters around the first match. */
export function highlight(text: string, terms: string[], window?: number): SnippetPart[] {
  const termSet = new Set(terms);
  let source = text;
  if (window !== undefined && source.length > window) {
    let first = -1;
    for (const match of source.matchAll(WORD)) {
      if (isHit(match[0], termSet)) {
        first = match.index;
        break;
      }
    }
    const start = first < 0 ? 0 : Math.max(0, first - Math.floor(window / 3));
    const from = start === 0 ? 0 : source.indexOf(' ', start) + 1;
    let end = Math.min(source.length, from + window);
    if (end < source.length) end = Math.max(from + 1, source.lastIndexOf(' ', end));
    source = (from > 0 ? '…' : '') + source.slice(from, end).trim() + (end < source.length ? '…' : '');
  }
  const parts: SnippetPart[] = [];
  let last = 0;
  for (const match of source.matchAll(WORD)) {
    if (!isHit(match[0], termSet)) continue;
    if (match.index > last) parts.push({ text: source.slice(last, match.index), hit: false });
    parts.push({ text: match[0], hit: true });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ text: source.slice(last), hit: false });
  return parts;
}
