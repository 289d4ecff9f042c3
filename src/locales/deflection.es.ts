// Mensajes en español del informe de desvío y de la página de ajustes de administración.
import type { deflectionEn } from './deflection.en.ts';

export const deflectionEs: Record<keyof typeof deflectionEn, string | { one: string; other: string }> = {
  'deflection.serverKind': 'El servidor registra «{field}» de este tipo por sí mismo; las páginas no pueden enviarlo.',
  'deflection.unknownKind': 'Tipo de evento desconocido.',
  'deflection.badDate': 'Las fechas se escriben AAAA-MM-DD.',
  'deflection.badPeriod': 'El periodo debe empezar antes de terminar.',
  'deflection.periodTooLong': 'Un informe abarca como máximo {max} días.',
  'feedback.question': '¿Esto resolvió tu problema?',
  'feedback.yes': 'Sí, esto lo resolvió',
  'feedback.no': 'No',
  'feedback.thanksYes': '¡Gracias! Nos alegra que te haya ayudado.',
  'feedback.thanksNo': 'Gracias por decírnoslo. Puedes hacer tu propia pregunta o contactar con soporte.',
  'feedback.stillNeedHelp': '¿Todavía necesitas ayuda?',
  'feedback.contactSupport': 'Contactar con soporte',
};
