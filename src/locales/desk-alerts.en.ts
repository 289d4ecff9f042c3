// English messages of the desk's first-response alerts, the staff daily summary, the public unanswered feeds per
// tag and language, and the response health in the deflection report (issue 13, second round).
export const deskAlertsEn = {
  'mail.desk-breach.subject': 'Past the first-response target: {title}',
  'mail.desk-close.subject': 'About to pass the first-response target: {title}',
  'mail.desk-breach.close': 'The question “{title}” has waited {elapsedHours} h of its {targetHours} h first-response target and still has no answer.',
  'mail.desk-breach.breached': 'The question “{title}” has no answer and is past its {targetHours} h first-response target.',
  'mail.desk-breach.action': 'Answer the question',
  'mail.desk-summary.subject': { one: 'Staff desk, daily summary: {count} alert', other: 'Staff desk, daily summary: {count} alerts' },
  'desk.summary.close': 'About to pass the first-response target: {title}',
  'desk.summary.breached': 'Past the first-response target: {title}',
  'desk.summary.desk_breach': 'Past or close to the first-response target: {title}',
  'desk.summary.desk_escalation': 'Escalated to the support team: {title}',
  'desk.summary.desk_flagged': 'Flagged for staff attention: {title}',
  'desk.summary.action': 'Open the staff desk',
  'feed.unansweredTag': 'Unanswered questions tagged “{tag}”',
  'feed.unansweredLanguage': 'Unanswered questions in {language}',
  'feed.listHeading': 'Follow these questions in a feed reader',
  'notifications.kind.desk_summary': 'Daily summary of staff alerts (staff)',
};
