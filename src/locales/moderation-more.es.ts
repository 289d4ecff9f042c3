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
};
