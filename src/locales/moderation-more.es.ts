// Mensajes en español de las últimas partes de la moderación: quien marca sabe qué pasó con su marca, el equipo
// recibe aviso de las marcas «necesita atención del equipo», y la original de una duplicada se elige buscando.
import type { moderationMoreEn } from './moderation-more.en.ts';

export const moderationMoreEs: Record<keyof typeof moderationMoreEn, string | { one: string; other: string }> = {
  'notifications.text.flag_helpful': 'Tu marca en «{title}» se consideró útil: un moderador actuó',
  'notifications.text.flag_declined': 'Tu marca en «{title}» se rechazó: un moderador no vio nada que corregir',
  'mail.flag-staff.subject': 'Marcada para atención del equipo: {title}',
  'mail.flag-staff.body.question': 'Un miembro marcó la pregunta «{title}» como necesitada de atención del equipo.',
  'mail.flag-staff.body.answer': 'Un miembro marcó una respuesta en «{title}» como necesitada de atención del equipo.',
  'mail.flag-staff.body.comment': 'Un miembro marcó un comentario en «{title}» como necesitado de atención del equipo.',
  'mail.flag-staff.note': 'Su nota: {note}',
  'mail.flag-staff.action': 'Abrir la cola de revisión',
  'moderation.badOriginalLink': "Ese enlace no lleva a una pregunta de este foro. Indica el número de la original, su enlace o palabras para buscarla.",
  'moderation.originalSearchLabel': "Pregunta original (para duplicadas)",
  'moderation.originalSearchHint': "Su número, su enlace o palabras para buscarla: después eliges entre las preguntas que coinciden.",
  'moderation.chooseTitle': "Elige la pregunta original",
  'moderation.chooseIntroFlag': "Estás marcando «{title}» como duplicada. Elige la pregunta que repite.",
  'moderation.chooseIntroClose': "Estás cerrando «{title}» como duplicada. Elige la pregunta original.",
  'moderation.chooseResults': "Preguntas abiertas que coinciden con «{words}»",
  'moderation.chooseNone': "Ninguna pregunta abierta coincide con «{words}». Prueba con otras palabras o indica el número de la original.",
  'moderation.chooseAnswers': { one: "{count} respuesta", other: "{count} respuestas" },
  'moderation.chooseAccepted': "Respuesta aceptada",
  'moderation.chooseOfficial': "Respuesta oficial",
  'moderation.chooseSubmitFlag': "Marcar como duplicada de la pregunta elegida",
  'moderation.chooseSubmitClose': "Cerrar como duplicada de la pregunta elegida",
  'moderation.chooseSearchAgain': "Buscar de nuevo",
  'moderation.chooseBack': "Volver a la pregunta",
  'moderation.chooseKept': "Tu nota se conserva: {note}",
  'moderation.comboChosen': "Elegida: n.º {id} {title}",
  'moderation.comboCount': { one: "{count} pregunta encontrada; usa las flechas para elegir.", other: "{count} preguntas encontradas; usa las flechas para elegir." },
  'moderation.comboNone': "Ninguna pregunta abierta coincide con estas palabras.",
  'moderation.comboListLabel': 'Preguntas abiertas que coinciden',
};
