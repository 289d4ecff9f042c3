CREATE TABLE `question_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`question_id` integer NOT NULL,
	`related_id` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`question_id`) REFERENCES `questions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`related_id`) REFERENCES `questions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `question_links_pair` ON `question_links` (`question_id`,`related_id`);--> statement-breakpoint
CREATE INDEX `question_links_related` ON `question_links` (`related_id`);--> statement-breakpoint
CREATE TABLE `search_phrasing_confirmations` (
	`phrasing_id` integer NOT NULL,
	`visitor_id` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`phrasing_id`) REFERENCES `search_phrasings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_phrasing_confirmations_pk` ON `search_phrasing_confirmations` (`phrasing_id`,`visitor_id`);--> statement-breakpoint
CREATE TABLE `search_phrasings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`question_id` integer NOT NULL,
	`phrase` text NOT NULL,
	`confirmations` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`removed_at` integer,
	`removed_by_id` integer,
	FOREIGN KEY (`question_id`) REFERENCES `questions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`removed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_phrasings_question_phrase` ON `search_phrasings` (`question_id`,`phrase`);--> statement-breakpoint
ALTER TABLE `users` ADD `username_skeleton` text;--> statement-breakpoint
CREATE INDEX `users_username_skeleton` ON `users` (`username_skeleton`);--> statement-breakpoint
CREATE INDEX `questions_duplicate_of` ON `questions` (`duplicate_of_id`);