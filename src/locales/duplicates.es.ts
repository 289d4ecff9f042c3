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
  'phrasings.title': 'Búsquedas aprendidas (solo personal)',
  'phrasings.explain': 'Búsquedas que llevaron a visitantes a este hilo y que confirmaron que resolvió su problema. El buscador usa una búsqueda cuando {count} visitantes distintos la confirmaron; elimina las que no correspondan.',
  'phrasings.none': 'Todavía no hay búsquedas aprendidas.',
  'phrasings.phrase': 'Búsqueda',
  'phrasings.confirmations': 'Visitantes que la confirmaron',
  'phrasings.state': 'Estado',
  'phrasings.actions': 'Acciones',
  'phrasings.indexed': 'La usa el buscador',
  'phrasings.candidate': 'Esperando confirmaciones',
  'phrasings.remove': 'Eliminar',
  'phrasings.removeLabel': 'Eliminar la búsqueda aprendida «{phrase}»',
};
