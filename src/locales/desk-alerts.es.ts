// Mensajes en español de las alertas de primera respuesta del mostrador, del resumen diario del equipo, de los
// feeds públicos de preguntas sin respuesta por etiqueta e idioma y de la salud de respuesta en el informe.
import type { deskAlertsEn } from './desk-alerts.en.ts';

export const deskAlertsEs: Record<keyof typeof deskAlertsEn, string | { one: string; other: string }> = {
  'mail.desk-breach.subject': 'Objetivo de primera respuesta superado: {title}',
  'mail.desk-close.subject': 'A punto de superar el objetivo de primera respuesta: {title}',
  'mail.desk-breach.close': 'La pregunta «{title}» lleva {elapsedHours} h de las {targetHours} h de su objetivo de primera respuesta y sigue sin respuesta.',
  'mail.desk-breach.breached': 'La pregunta «{title}» no tiene respuesta y ha superado su objetivo de primera respuesta de {targetHours} h.',
  'mail.desk-breach.action': 'Responder a la pregunta',
  'mail.desk-summary.subject': { one: 'Mostrador del equipo, resumen diario: {count} alerta', other: 'Mostrador del equipo, resumen diario: {count} alertas' },
  'desk.summary.close': 'A punto de superar el objetivo de primera respuesta: {title}',
  'desk.summary.breached': 'Objetivo de primera respuesta superado: {title}',
  'desk.summary.desk_breach': 'Cerca del objetivo de primera respuesta o pasada de él: {title}',
  'desk.summary.desk_escalation': 'Escalada al equipo de soporte: {title}',
  'desk.summary.desk_flagged': 'Señalada para el equipo: {title}',
  'desk.summary.action': 'Abrir el mostrador del equipo',
  'feed.unansweredTag': 'Preguntas sin respuesta con la etiqueta «{tag}»',
  'feed.unansweredLanguage': 'Preguntas sin respuesta en {language}',
  'feed.listHeading': 'Sigue estas preguntas en un lector de feeds',
  'notifications.kind.desk_summary': 'Resumen diario de las alertas del equipo (equipo)',
};
