// English messages for crawlers and sharing: gone threads, descriptions, feeds, pagination, site settings.
export const seoEn = {
  'gone.title': 'This question was deleted',
  'gone.message': 'The question you are looking for was deleted and is no longer available. Search the forum: someone may have asked the same thing.',

  'seo.homeDescription': 'Answers from customers and staff, before you call: search the community’s questions and answers, or ask your own.',
  'seo.questionsDescription': 'All the questions asked in the community, with their answers.',
  'seo.unansweredDescription': 'Questions still waiting for an answer. Help a customer: answer one.',
  'seo.tagDescription': 'Questions and answers about {tag}.',
  'seo.tagsDescription': 'Every topic of the community, with how many questions it has.',
  'seo.userDescription': 'Questions and answers by {name} in the community.',
  'seo.searchAction': 'Search the forum',

  'feed.newest': 'Newest questions',
  'feed.unanswered': 'Unanswered questions',
  'feed.tag': 'Newest questions tagged “{tag}”',
  'feed.question': 'Answers to “{title}”',
  'feed.answerTitle': 'Answer by {name}',
  'feed.acceptedAnswerTitle': 'Accepted answer by {name}',
  'feed.officialAnswerTitle': 'Official answer by {name}',
  'feed.subscribe': 'Atom feed',

  'pagination.first': 'First',
  'pagination.last': 'Last',
  'pagination.page': 'Page {page}',
  'pagination.gap': 'More pages',

  'adminSettings.site': 'Site',
  'adminSettings.siteName': 'Site name',
  'adminSettings.siteNameHint': 'Shown in the header, in page titles and when pages are shared. Leave empty for “Resuelto”.',
  'adminSettings.siteLogoUrl': 'Logo',
  'adminSettings.siteLogoUrlHint': 'The address of an image (https://…, or a path on this site such as /static/img/logo.svg). Leave empty for none.',
  'adminSettings.homeDescription': 'Home page description',
  'adminSettings.homeDescriptionHint': 'One or two sentences that search engines show under the home page. Leave empty for the default text in each language.',
  'adminSettings.defaultLocale': 'Default language',
  'adminSettings.defaultLocaleHint': 'The language of the home page and lists for visitors whose browser names none (search engines). A thread is shown in its own language.',
  'adminSettings.error.logo': 'Write an https:// address or a path on this site that starts with /.',
  'adminSettings.error.locale': 'Choose one of the languages.',
};
