// English messages of duplicates, related links and learned search phrasings.
export const duplicatesEn = {
  'duplicates.originalMissing': 'The original question does not exist or was deleted.',
  'duplicates.notItself': 'A question cannot be a duplicate of itself.',
  'duplicates.bannerTitle': 'This question has an answer elsewhere',
  'duplicates.bannerText': 'It was closed as a duplicate of:',
  'duplicates.acceptedAnswer': 'Accepted answer there:',
  'duplicates.officialAnswer': 'Official answer there:',
  'duplicates.readOriginal': 'Read the original question and its answers',
  'duplicates.linkedTitle': 'Linked questions',
};
