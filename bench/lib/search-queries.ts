// Queries for the search benchmark, drawn from the same real text as the corpus: 2–6 words from real
// titles and bodies, some Spanish (often typed without accents), some with a typo, some product codes;
// and search-as-you-type prefixes (the last word cut short). Deterministic.
import { Random, productCodes, type Dump } from './corpus.ts';
import { SPANISH_DETAILS, SPANISH_QUESTIONS } from './search-spanish.ts';

export interface BenchQuery {
  kind: 'english' | 'spanish' | 'typo' | 'code' | 'prefix' | 'title';
  query: string;
  prefix: boolean;
  /** For code queries: the code searched for. */
  code?: string;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

function words(text: string): string[] {
  return (text.match(WORD) ?? []).filter((w) => w.length >= 2 || /\d/.test(w));
}

function window(random: Random, list: string[], min: number, max: number): string[] {
  if (list.length <= min) return list;
  const length = random.int(min, Math.min(max, list.length));
  const start = random.int(0, list.length - length);
  return list.slice(start, start + length);
}

function stripAccents(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}

/** One edit in a word of five letters or more: a swap, a dropped, a doubled or a replaced letter. */
function typo(random: Random, word: string): string {
  const i = random.int(1, word.length - 2);
  switch (random.int(0, 3)) {
    case 0:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    case 2:
      return word.slice(0, i) + word[i] + word.slice(i);
    default:
      return word.slice(0, i) + 'eaiou'[random.int(0, 4)] + word.slice(i + 1);
  }
}

function englishQuery(random: Random, dump: Dump): string[] {
  if (random.chance(0.55)) return window(random, words(random.pick(dump.titles)), 2, 6);
  return window(random, words(random.pick(random.chance(0.6) ? dump.questionSentences : dump.answerSentences)), 2, 6);
}

function spanishQuery(random: Random): string[] {
  const source = random.chance(0.6) ? random.pick(SPANISH_QUESTIONS) : random.pick(SPANISH_DETAILS);
  const list = window(random, words(random.chance(0.5) ? stripAccents(source) : source), 2, 6);
  return list;
}

export function realisticQueries(dump: Dump, count: number, seed = 99): BenchQuery[] {
  const random = new Random(seed);
  const codes = productCodes(300);
  const out: BenchQuery[] = [];
  while (out.length < count) {
    const kind = (['english', 'spanish', 'typo', 'code'] as const)[random.weighted([60, 15, 15, 10])];
    if (kind === 'code') {
      const code = random.pick(codes);
      const written = random.pick([code, code.toLowerCase(), code.replace('-', ''), code.replace('-', ' ')]);
      const extra = random.chance(0.5) ? ` ${random.pick(['no enciende', 'firmware', 'manual', 'not working', 'reset', 'configuración'])}` : '';
      out.push({ kind, query: `${written}${extra}`, prefix: false, code });
      continue;
    }
    const list = kind === 'spanish' || (kind === 'typo' && random.chance(0.25)) ? spanishQuery(random) : englishQuery(random, dump);
    if (list.length < 2) continue;
    if (kind === 'typo') {
      const long = list.map((w, i) => [w, i] as const).filter(([w]) => w.length >= 5);
      if (long.length === 0) continue;
      const [word, i] = random.pick(long);
      list[i] = typo(random, word);
    }
    out.push({ kind, query: (random.chance(0.5) ? list.join(' ').toLowerCase() : list.join(' ')), prefix: false });
  }
  return out;
}

/** What a person has typed so far in the ask form: a few words of a title and the start of the next. */
export function prefixQueries(dump: Dump, count: number, seed = 77): BenchQuery[] {
  const random = new Random(seed);
  const out: BenchQuery[] = [];
  while (out.length < count) {
    const title = random.chance(0.8) ? random.pick(dump.titles) : stripAccents(random.pick(SPANISH_QUESTIONS));
    const list = words(title);
    const full = random.int(0, Math.min(3, list.length - 1));
    const next = list[full];
    if (!next || next.length < 3) continue;
    const partial = next.slice(0, random.int(2, Math.min(5, next.length)));
    out.push({ kind: 'prefix', query: [...list.slice(0, full), partial].join(' '), prefix: true });
  }
  return out;
}

/**
 * Whole question titles, as a customer pastes or types a full question into search (and as the duplicate
 * benchmark queries): longer than the 2–6 words above. 85 % real English titles, 15 % whole Spanish support
 * questions (half without accents). Deterministic.
 */
export function titleQueries(dump: Dump, count: number, seed = 55): BenchQuery[] {
  const random = new Random(seed);
  const out: BenchQuery[] = [];
  while (out.length < count) {
    const spanish = random.chance(0.15);
    const text = spanish ? random.pick(SPANISH_QUESTIONS) : random.pick(dump.titles);
    out.push({ kind: 'title', query: spanish && random.chance(0.5) ? stripAccents(text) : text, prefix: false });
  }
  return out;
}
