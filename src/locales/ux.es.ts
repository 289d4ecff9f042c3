// Spanish messages of the interface pass (issue 16): error summaries, limits, privilege walls, CLI.
import type { uxEn } from './ux.en.ts';

export const uxEs: Record<keyof typeof uxEn, string> = {
  'ux.titleLetters': 'El título necesita al menos {min} letras o cifras, no solo símbolos o emojis.',
  'ux.bodyLetters': 'El texto necesita al menos {min} letras o cifras, no solo símbolos o emojis.',
  'ux.bodyTooLong': 'El texto tiene {count} caracteres y el límite es {max}. Lo conservamos abajo: acórtalo y vuelve a enviarlo.',
  'ux.tooLargeBack': 'Lo que enviaste es demasiado grande: este foro acepta hasta {limit} en un formulario. Usa el botón Atrás del navegador: el formulario conserva lo que escribiste.',
  'ux.goBack': 'Volver a la página anterior',
  'ux.charactersLeft': '{count} de {max} caracteres',
  'ux.charactersLimit': 'Hasta {max} caracteres.',
  'ux.voteUpLocked': 'Votar a favor requiere {reputation} de reputación',
  'ux.voteDownLocked': 'Votar en contra requiere {reputation} de reputación',
  'ux.commentLocked': 'Comentar en publicaciones ajenas requiere {reputation} de reputación',
  'ux.signInToVote': 'Inicia sesión para votar',
  'ux.howReputationWorks': 'cómo funciona la reputación',
  'ux.acceptedBy': 'Aceptada por {name} en nombre de quien preguntó',
  'ux.sortAnswers': 'Ordenar respuestas',
  'ux.sortApply': 'Ordenar',
  'ux.weakResults': 'Nada coincide con la mayor parte de lo que buscaste; estas preguntas solo comparten algunas de tus palabras. Si ninguna te sirve, haz tu pregunta.',
  'ux.periodHint': 'Días completos en UTC, elegidos en los campos de fecha; como máximo {max} días. Deja ambos vacíos para los últimos 30 días.',
  'ux.reason.accept_given.other': '{name} aceptó una respuesta',
  'ux.reason.downvote_given.other': '{name} votó en contra de una respuesta',
  'ux.invalidValue': 'El valor de «{field}» no es válido.',
  'ux.answerSort.votes': 'Más votadas',
  'ux.answerSort.oldest': 'Más antiguas primero',
  'ux.answerSort.newest': 'Más recientes primero',
};
