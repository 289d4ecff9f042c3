// Mensajes en español de duplicados, enlaces relacionados y frases de búsqueda aprendidas.
import type { duplicatesEn } from './duplicates.en.ts';

export const duplicatesEs: Record<keyof typeof duplicatesEn, string> = {
  'duplicates.originalMissing': 'La pregunta original no existe o fue eliminada.',
  'duplicates.notItself': 'Una pregunta no puede ser duplicada de sí misma.',
  'duplicates.bannerTitle': 'Esta pregunta ya tiene respuesta en otro lugar',
  'duplicates.bannerText': 'Se cerró como duplicada de:',
  'duplicates.acceptedAnswer': 'Respuesta aceptada allí:',
  'duplicates.officialAnswer': 'Respuesta oficial allí:',
  'duplicates.readOriginal': 'Leer la pregunta original y sus respuestas',
  'duplicates.linkedTitle': 'Preguntas enlazadas',
};
