// English messages of account security: password rules, confusable usernames, role badges.
export const securityEn = {
  'error.usernameConfusable': 'That username looks too much like an existing one; please choose another.',
  'error.passwordBlank': 'A password cannot be only spaces.',
  'error.passwordIsName': 'Your password cannot be your username or your email address.',
} as const;
