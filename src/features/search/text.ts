// Owns how text becomes search terms, the same way for documents and queries: Unicode-aware tokens,
// accents folded, stop words of both languages dropped, and each word stemmed in its language.
import { lunr } from './lunr.ts';

export type SearchLanguage = 'es' | 'en';

/** Lower-case, accents removed (módem → modem, facturación → facturacion), ñ → n. */
export function fold(word: string): string {
  return word.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

const MAX_TOKEN = 40;

/** A word of a text, folded, with the parts of a word joined by hyphens, dots or underscores (two characters or more). */
export interface Word {
  token: string;
  parts: readonly string[];
}
// Most words have no parts: they share one empty list (documents are tokenized word by word at build time).
const NO_PARTS: readonly string[] = Object.freeze([]);

/**
 * Words of a text, folded. Joiners inside a word are dropped so that `wi-fi` = `wifi`,
 * `e-mail` = `email` and product codes stay whole (`RT-AC68U` → `rtac68u`); a word joined by hyphens, dots or
 * underscores also has its parts (`context-free` → context, free; `v2.3` → v2).
 */
export function words(text: string, limit = Infinity): Word[] {
  const out: Word[] = [];
  const pattern = /[\p{L}\p{N}]+(?:[-_.'’·][\p{L}\p{N}]+)*/gu;
  for (const match of text.matchAll(pattern)) {
    // An English possessive or "is" is not part of the word: beer's = beer, what's = what (a stop word).
    const word = match[0].replace(/['’][sS]$/, '');
    const token = fold(word.replace(/[-_.'’·]/g, ''));
    if (token.length === 0 || token.length > MAX_TOKEN) continue;
    let parts = NO_PARTS;
    if (/[-_.·]/.test(word)) {
      const found: string[] = [];
      for (const part of word.split(/[-_.·]+/)) {
        const folded = fold(part.replace(/['’]/g, ''));
        if (folded.length >= 2 && folded !== token) found.push(folded);
      }
      parts = found;
    }
    out.push({ token, parts });
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Words of a text as tokens (see `words`). With `parts`, a joined word also gives its parts
 * (`context-free` → contextfree, context, free; `v2.3` → v23, v2): documents are indexed that way, so a query
 * written either way meets them.
 */
export function tokenize(text: string, limit = Infinity, parts = false): string[] {
  const tokens: string[] = [];
  for (const word of words(text, limit)) {
    tokens.push(word.token);
    if (parts) tokens.push(...word.parts);
    if (tokens.length >= limit) break;
  }
  return tokens;
}

// British spellings that no suffix rule below catches.
const BRITISH_WORDS = new Map(
  Object.entries({
    aluminium: 'aluminum',
    draught: 'draft',
    draughts: 'drafts',
    ageing: 'aging',
    grey: 'gray',
    tyre: 'tire',
    tyres: 'tires',
    mould: 'mold',
    mouldy: 'moldy',
    cheque: 'check',
    cheques: 'checks',
    programme: 'program',
    programmes: 'programs',
    catalogue: 'catalog',
    dialogue: 'dialog',
    sceptical: 'skeptical',
    cosy: 'cozy',
    storey: 'story',
    jewellery: 'jewelry',
    licence: 'license',
    defence: 'defense',
    offence: 'offense',
  }),
);

/**
 * British spellings the English stemmer keeps apart, made American: flavour = flavor, fibre = fiber,
 * litres = liters, organise = organize, draught = draft. Documents and queries go through the same
 * function, so a word is only ever merged with its other spelling.
 */
function americanSpelling(word: string): string {
  return (
    BRITISH_WORDS.get(word) ??
    word
      .replace(/^([a-z]{3,})our(s|ed|ing|ful|ite|ites)?$/, '$1or$2')
      .replace(/^([a-z]{2,}[bcdfgklmnpqstvz])re(s)?$/, '$1er$2')
      .replace(/^([a-z]{3,}[^aeiou])is(e|es|ed|ing|ation|ations)$/, '$1iz$2')
      .replace(/^([a-z]{3,})yse(s|d)?$/, '$1yze$2')
  );
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
  return cached(language + word, () => stemOnce(word, language));
}

/** `stem` without the cache, for throwaway spellings (typo candidates) that would only crowd it. */
export function stemOnce(word: string, language: SearchLanguage): string {
  if (language === 'es') {
    const accented = word.replace(/cion$/, 'ción').replace(/sion$/, 'sión').replace(/ciones$/, 'ciones');
    return fold(lunr.es.stemmer(new lunr.Token(accented, {}))?.toString() ?? accented);
  }
  const american = americanSpelling(word);
  return fold(lunr.stemmer(new lunr.Token(american, {}))?.toString() ?? american);
}

/**
 * The spellings of a folded word with one letter doubled or one double letter made single (guiness →
 * guinness, wiffi → wifi): the commonest spelling mistake, and one that stemming can hide (guinness
 * loses its "-ness", guiness keeps it), so it is corrected on the word as typed, before stemming.
 */
export function doubledLetterSpellings(word: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < word.length; i++) {
    if (!/[a-z]/.test(word[i])) continue;
    if (word[i + 1] === word[i]) out.add(word.slice(0, i) + word.slice(i + 1));
    else if (word[i - 1] !== word[i]) out.add(word.slice(0, i + 1) + word.slice(i));
  }
  return [...out];
}

// Words arrive folded, but lunr-languages lists Spanish stop words with their accents: these are the
// folded spellings of its accented entries (más → mas, también → tambien, está → esta is listed already).
const FOLDED_SPANISH_STOP_WORDS = new Set(
  ('estara estaran estaras estare estareis estaria estariais estariamos estarian estarias estuvieramos estuviesemos estabamos estais estan ' +
    'esteis esten estes fueramos fuesemos habra habran habras habre habreis habria habriais habriamos habrian habrias habeis habia habiais ' +
    'habiamos habian habias hayais hubieramos hubiesemos mas mia mias mio mios sera seran seras sere sereis seria seriais seriamos serian ' +
    'serias seais si tambien tendra tendran tendras tendre tendreis tendria tendriais tendriamos tendrian tendrias tengais teneis tenia ' +
    'teniais teniamos tenian tenias tuvieramos tuviesemos eramos').split(' '),
);
// English contractions lose their apostrophe in tokens (don't → dont), and people type them without one;
// "vs" only joins the words compared.
const ENGLISH_EXTRA_STOP_WORDS = new Set(
  ('whats thats theres heres hows whys wheres whos dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt shouldnt hasnt ' +
    'havent hadnt mustnt im ive youre youve youll youd hes shes weve were theyre theyve theyll itll vs versus').split(' '),
);

/** True for the stop words of either language ("the", "de", "la", "how", "como", …), accents folded. */
export function isStopWord(word: string): boolean {
  if (FOLDED_SPANISH_STOP_WORDS.has(word) || ENGLISH_EXTRA_STOP_WORDS.has(word)) return true;
  const token = new lunr.Token(word, {});
  return lunr.stopWordFilter(token) === undefined || lunr.es.stopWordFilter(token) === undefined;
}

/** A document's field as index terms: tokens without stop words, stemmed in the document's language. */
export function documentTerms(text: string, language: SearchLanguage, limit = Infinity): string[] {
  const terms: string[] = [];
  for (const token of tokenize(text, Infinity, true)) {
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

/**
 * Like `distinctTerms`, with how many times each kept term occurs in `terms` (its term frequency in the field,
 * for BM25: a post that keeps coming back to a word is more about it than one that mentions it once).
 */
export function countedTerms(terms: string[], limit: number): { terms: string[]; counts: number[] } {
  const at = new Map<string, number>();
  const out: string[] = [];
  const counts: number[] = [];
  for (const term of terms) {
    const i = at.get(term);
    if (i !== undefined) {
      counts[i] += 1;
      continue;
    }
    if (out.length >= limit) continue;
    at.set(term, out.length);
    out.push(term);
    counts.push(1);
  }
  return { terms: out, counts };
}
