// Owns guessing whether a text is Spanish or English, from function words and Spanish-only letters.

const SPANISH = new Set(
  'de la que el en y los se del las un por con no una su para es al lo como más pero sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella estar estas algunas algo nosotros mi mis tú te ti tu tus ellas nosotras vosotros os mío mía tuyo tuya cómo puedo tengo hace cerveza vino mi funciona problema ayuda'.split(' '),
);
const ENGLISH = new Set(
  'the of and to in is it you that he was for on are with as his they be at one have this from or had by not but what some we can out other were all there when up use your how said an each she which do their if will way about many then them would like so these her see him has more could go come did my no most who over know than call first people may down been now find any new work part take get made where after back only our just why does beer wine problem help'.split(' '),
);

export type DetectedLanguage = 'es' | 'en';

/** Best guess for a text; ties go to `fallback`. */
export function detectLanguage(text: string, fallback: DetectedLanguage = 'en'): DetectedLanguage {
  const words = text.toLowerCase().normalize('NFC').match(/\p{L}+/gu) ?? [];
  let es = 0;
  let en = 0;
  for (const word of words.slice(0, 400)) {
    if (SPANISH.has(word)) es += 1;
    if (ENGLISH.has(word)) en += 1;
    if (/[ñ¿¡]|ción$|[áéíóú]/.test(word)) es += 0.5;
  }
  if (/[¿¡]/.test(text)) es += 2;
  if (es === en) return fallback;
  return es > en ? 'es' : 'en';
}
