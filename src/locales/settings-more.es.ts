// Etiquetas de los ajustes añadidos en esta ronda por el control de accesos fallidos y el módulo de correo.
import type { settingsMoreEn } from './settings-more.en.ts';

export const settingsMoreEs: Record<keyof typeof settingsMoreEn, string> = {
  'adminSettings.mail': 'Correo y avisos',
  'adminSettings.failedSignInsPerAccountBeforeDelay': 'Accesos fallidos a una cuenta, desde navegadores que no conoce, antes de una espera',
  'adminSettings.failedSignInsPerAccountBeforeDelayHint': 'De 1 a 1000. Un navegador que ya entró en la cuenta nunca queda bloqueado por los fallos de otros.',
  'adminSettings.failedSignInsPerClientBeforeDelay': 'Accesos fallidos desde una dirección, sea cual sea la cuenta, antes de una espera',
  'adminSettings.failedSignInsPerClientBeforeDelayHint': 'De 1 a 1000.',
  'adminSettings.passwordResetsPerAccountPerHour': 'Correos para restablecer la contraseña por cuenta y hora',
  'adminSettings.passwordResetsPerAccountPerHourHint': 'De 1 a 100.',
  'adminSettings.passwordResetsPerIpPerHour': 'Solicitudes para restablecer la contraseña por dirección y hora',
  'adminSettings.passwordResetsPerIpPerHourHint': 'De 1 a 10000.',
  'adminSettings.verificationMailsPerHour': 'Correos de confirmación de dirección por cuenta y hora',
  'adminSettings.verificationMailsPerHourHint': 'De 1 a 100.',
  'adminSettings.mentionsPerComment': 'Personas avisadas de una mención, como máximo, por comentario',
  'adminSettings.mentionsPerCommentHint': 'De 0 a 100. Las demás menciones del mismo comentario no avisan a nadie.',
  'adminSettings.coalesceMinutes': 'Minutos en que los avisos de un mismo tema se juntan en un correo',
  'adminSettings.coalesceMinutesHint': 'De 0 a 1440.',
  'adminSettings.digestHourUtc': 'Hora del resumen diario (UTC)',
  'adminSettings.digestHourUtcHint': 'De 0 a 23.',
  'adminSettings.mailClaimSeconds': 'Segundos que se reserva un mensaje en envío antes de que otro intento pueda tomarlo',
  'adminSettings.mailClaimSecondsHint': 'De 2 a 3600.',
};
