// Owns how text becomes search terms, the same way for documents and queries: Unicode-aware tokens,
// accents folded, stop words of both languages dropped, and each word stemmed in its language.
import { lunr } from './lunr.ts';

export type SearchLanguage = 'es' | 'en';

/** Lower-case, accents removed (módem → modem, facturación → facturacion), ñ → n. */
export function fold(word: string): string {
  return word.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

const MAX_TOKEN = 40;

/**
 * Words of a text, folded. Joiners inside a word are dropped so that `wi-fi` = `wifi`,
 * `e-mail` = `email` and product codes stay whole (`RT-AC68U` → `rtac68u`).
 */
export function tokenize(text: string, limit = Infinity): string[] {
  const tokens: string[] = [];
  const pattern = /[\p{L}\p{N}]+(?:[-_.'’·][\p{L}\p{N}]+)*/gu;
  for (const match of text.matchAll(pattern)) {
    const token = fold(match[0].replace(/[-_.'’·]/g, ''));
    if (token.length === 0 || token.length > MAX_TOKEN) continue;
    tokens.push(token);
    if (tokens.length >= limit) break;
  }
  return tokens;
}

const stemCache = new Map<string, string>();
const STEM_CACHE_MAX = 200_000;

function cached(key: string, compute: () => string): string {
  let value = stemCache.get(key);
  if (value === undefined) {
    value = compute();
    if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
    stemCache.set(key, value);
  }
  return value;
}

/**
 * The stem of a folded word in a language. The Spanish stemmer recognises suffixes such as -ción only
 * with their accent, so the accent is put back on the commonest ones before stemming; the result is
 * folded again so that accented and unaccented spellings meet.
 */
export function stem(word: string, language: SearchLanguage): string {
  return cached(language + word, () => {
    if (language === 'es') {
      const accented = word.replace(/cion$/, 'ción').replace(/sion$/, 'sión').replace(/ciones$/, 'ciones');
      return fold(lunr.es.stemmer(new lunr.Token(accented, {}))?.toString() ?? accented);
    }
    return fold(lunr.stemmer(new lunr.Token(word, {}))?.toString() ?? word);
  });
}

/** True for the stop words of either language ("the", "de", "la", "how", "como", …). */
export function isStopWord(word: string): boolean {
  const token = new lunr.Token(word, {});
  return lunr.stopWordFilter(token) === undefined || lunr.es.stopWordFilter(token) === undefined;
}

/** A document's field as index terms: tokens without stop words, stemmed in the document's language. */
export function documentTerms(text: string, language: SearchLanguage, limit = Infinity): string[] {
  const terms: string[] = [];
  for (const token of tokenize(text)) {
    if (isStopWord(token)) continue;
    terms.push(stem(token, language));
    if (terms.length >= limit) break;
  }
  return terms;
}

/** At most `limit` distinct terms, in order of first appearance (keeps long posts from bloating the index). */
export function distinctTerms(terms: string[], limit: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const term of terms) {
    if (seen.has(term)) continue;
    seen.add(term);
    out.push(term);
    if (out.length >= limit) break;
  }
  return out;
}
