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
CREATE INDEX `questions_duplicate_of` ON `questions` (`duplicate_of_id`);