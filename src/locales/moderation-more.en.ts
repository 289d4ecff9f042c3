// English messages of moderation's later parts: flaggers told their flag's fate, staff alerted of "needs staff
// attention" flags, and choosing the original of a duplicate by search (src/features/moderation/).
export const moderationMoreEn = {
  'notifications.text.flag_helpful': 'Your flag on “{title}” was marked helpful: a moderator acted on it',
  'notifications.text.flag_declined': 'Your flag on “{title}” was declined: a moderator found nothing to act on',
  'mail.flag-staff.subject': 'Flagged for staff attention: {title}',
  'mail.flag-staff.body.question': 'A member flagged the question “{title}” as needing staff attention.',
  'mail.flag-staff.body.answer': 'A member flagged an answer on “{title}” as needing staff attention.',
  'mail.flag-staff.body.comment': 'A member flagged a comment on “{title}” as needing staff attention.',
  'mail.flag-staff.note': 'Their note: {note}',
  'mail.flag-staff.action': 'Open the review queue',
} as const;
