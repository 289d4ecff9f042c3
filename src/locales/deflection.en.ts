// English messages of the deflection report and the admin settings page.
export const deflectionEn = {
  'deflection.serverKind': 'The server records “{field}” of this kind itself; pages cannot send it.',
  'deflection.unknownKind': 'Unknown event kind.',
  'deflection.badDate': 'Dates are written YYYY-MM-DD.',
  'deflection.badPeriod': 'The period must start before it ends.',
  'deflection.periodTooLong': 'A report covers at most {max} days.',
  'feedback.question': 'Did this solve your problem?',
  'feedback.yes': 'Yes, this solved it',
  'feedback.no': 'No',
  'feedback.thanksYes': 'Thanks! Glad it helped.',
  'feedback.thanksNo': 'Thanks for telling us. You can ask your own question, or contact support.',
  'feedback.stillNeedHelp': 'Still need help?',
  'feedback.contactSupport': 'Contact support',
} as const;
