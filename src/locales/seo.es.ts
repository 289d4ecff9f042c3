// Mensajes en español para buscadores y para compartir: hilos borrados, descripciones, feeds, paginación, ajustes del sitio.
import type { seoEn } from './seo.en.ts';

export const seoEs: Record<keyof typeof seoEn, string | { one: string; other: string }> = {
  'gone.title': 'Esta pregunta se borró',
  'gone.message': 'La pregunta que buscas se borró y ya no está disponible. Busca en el foro: puede que alguien haya preguntado lo mismo.',

  'seo.homeDescription': 'Respuestas de clientes y del equipo, antes de llamar: busca en las preguntas y respuestas de la comunidad o haz la tuya.',
  'seo.questionsDescription': 'Todas las preguntas de la comunidad, con sus respuestas.',
  'seo.unansweredDescription': 'Preguntas que aún esperan respuesta. Ayuda a otro cliente: responde una.',
  'seo.tagDescription': 'Preguntas y respuestas sobre {tag}.',
  'seo.tagsDescription': 'Todos los temas de la comunidad, con cuántas preguntas tiene cada uno.',
  'seo.userDescription': 'Preguntas y respuestas de {name} en la comunidad.',
  'seo.searchAction': 'Buscar en el foro',

  'feed.newest': 'Preguntas más recientes',
  'feed.unanswered': 'Preguntas sin respuesta',
  'feed.tag': 'Preguntas recientes con la etiqueta «{tag}»',
  'feed.question': 'Respuestas a «{title}»',
  'feed.answerTitle': 'Respuesta de {name}',
  'feed.acceptedAnswerTitle': 'Respuesta aceptada de {name}',
  'feed.officialAnswerTitle': 'Respuesta oficial de {name}',
  'feed.subscribe': 'Feed Atom',

  'pagination.first': 'Primera',
  'pagination.last': 'Última',
  'pagination.page': 'Página {page}',
  'pagination.gap': 'Más páginas',

  'adminSettings.site': 'Sitio',
  'adminSettings.siteName': 'Nombre del sitio',
  'adminSettings.siteNameHint': 'Aparece en la cabecera, en el título de las páginas y al compartirlas. Déjalo vacío para «Resuelto».',
  'adminSettings.siteLogoUrl': 'Logotipo',
  'adminSettings.siteLogoUrlHint': 'La dirección de una imagen (https://…, o una ruta de este sitio como /static/img/logo.svg). Déjalo vacío si no hay.',
  'adminSettings.homeDescription': 'Descripción de la página de inicio',
  'adminSettings.homeDescriptionHint': 'Una o dos frases que los buscadores muestran bajo la página de inicio. Déjalo vacío para el texto por defecto de cada idioma.',
  'adminSettings.defaultLocale': 'Idioma por defecto',
  'adminSettings.defaultLocaleHint': 'El idioma de la página de inicio y de las listas para los visitantes cuyo navegador no indica ninguno (los buscadores). Cada hilo se muestra en su propio idioma.',
  'adminSettings.error.logo': 'Escribe una dirección https:// o una ruta de este sitio que empiece por /.',
  'adminSettings.error.locale': 'Elige uno de los idiomas.',
};
