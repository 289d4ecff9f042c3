// Mensajes en español de la seguridad de las cuentas: reglas de contraseña, nombres confundibles, insignias de rol.
import type { securityEn } from './security.en.ts';

export const securityEs: Record<keyof typeof securityEn, string> = {
  'error.usernameConfusable': 'Ese nombre de usuario se parece demasiado a uno que ya existe; elige otro.',
  'error.passwordBlank': 'La contraseña no puede ser solo espacios.',
  'error.passwordIsName': 'La contraseña no puede ser tu nombre de usuario ni tu correo electrónico.',
};
