ALTER TABLE `users` ADD `username_skeleton` text;--> statement-breakpoint
CREATE INDEX `users_username_skeleton` ON `users` (`username_skeleton`);--> statement-breakpoint
CREATE INDEX `answers_author_created` ON `answers` (`author_id`,`deleted_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `question_tags_tag_question` ON `question_tags` (`tag_id`,`question_id`);--> statement-breakpoint
CREATE INDEX `questions_author_activity` ON `questions` (`author_id`,`deleted_at`,`last_activity_at`);