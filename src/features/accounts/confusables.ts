// Owns look-alike usernames: the skeleton that two names share when a reader could take one for the other.
//
// Unicode TR39 (Security Mechanisms, section 4) defines a name's skeleton: decompose, replace every character
// by the prototype of its confusable class, decompose again; two strings are confusable when their skeletons
// are equal. Usernames are ASCII letters, digits and . _ - (USERNAME_PATTERN), so of TR39's tables only the
// classes those characters form matter, and they are written out below rather than loaded. On top of TR39,
// as Discourse and GitHub do for names, case is ignored and the three separators count as one.

/** Single characters that TR39 puts in one class, before case is folded: capital I and digit 1 look like l, 0 like O. */
const SAME_CHARACTER: Record<string, string> = { I: 'l', '1': 'l', '|': 'l', '0': 'o', O: 'o' };

/** Sequences that read as one letter in most fonts (TR39: m ↔ rn). Applied after case folding. */
const SAME_SEQUENCE: [RegExp, string][] = [[/rn/g, 'm']];

/**
 * The confusable skeleton of a username, lower-case: `Iaura.ondara`, `1aura_ondara` and `LAURA-0NDARA` all give
 * `laura.ondara`; `rnaria` gives `maria`. Letters outside ASCII (should usernames ever allow them) lose their
 * accents (NFKD without combining marks), which is what most of TR39's Latin classes amount to.
 */
export function usernameSkeleton(username: string): string {
  let skeleton = username.normalize('NFKD').replace(/\p{M}/gu, '');
  // Before case folding: a capital I looks like a small l, which lower-casing would turn into a small i.
  skeleton = skeleton.replace(/[I1|0O]/g, (character) => SAME_CHARACTER[character]);
  skeleton = skeleton.toLowerCase();
  for (const [pattern, replacement] of SAME_SEQUENCE) skeleton = skeleton.replace(pattern, replacement);
  return skeleton.replace(/[._-]+/g, '.');
}
