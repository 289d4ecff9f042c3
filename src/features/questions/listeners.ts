// Owns what the questions feature does when other features' events touch a public thread: today, a private
// support case opened, solved or reopened changes the thread's banner, so search looks at the thread again and
// kept signed-out copies of it are dropped (the search change log). Registered once by app.ts.
import { on } from '../../lib/events.ts';
import { logSearchChange } from './service.ts';

export function registerQuestionListeners(): void {
  on('case.banner', (tx, event) => logSearchChange(tx, event.questionId, event.at));
}
