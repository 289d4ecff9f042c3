// Owns the addresses of the Atom feeds, so that pages link to them without importing the feed routes.
export const NEWEST_FEED_PATH = '/feeds/questions';
export const UNANSWERED_FEED_PATH = '/feeds/unanswered';
export const tagFeedPath = (tag: string) => `/feeds/tags/${encodeURIComponent(tag)}`;
export const questionFeedPath = (questionId: number) => `/feeds/questions/${questionId}`;
/** Unanswered questions of one tag, and of one language (issue 13: members who like to help watch them). */
export const unansweredTagFeedPath = (tag: string) => `/feeds/unanswered/tags/${encodeURIComponent(tag)}`;
export const unansweredLanguageFeedPath = (language: string) => `/feeds/unanswered/languages/${language}`;
