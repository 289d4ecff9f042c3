ALTER TABLE `questions` ADD `accepted_by_id` integer;--> statement-breakpoint
CREATE INDEX `questions_author_activity` ON `questions` (`author_id`,`deleted_at`,`last_activity_at`);--> statement-breakpoint
ALTER TABLE `tags` ADD `description_md` text;--> statement-breakpoint
ALTER TABLE `tags` ADD `description_html` text;--> statement-breakpoint
ALTER TABLE `users` ADD `username_skeleton` text;--> statement-breakpoint
ALTER TABLE `users` ADD `about_md` text;--> statement-breakpoint
ALTER TABLE `users` ADD `about_html` text;--> statement-breakpoint
ALTER TABLE `users` ADD `location` text;--> statement-breakpoint
CREATE INDEX `users_username_skeleton` ON `users` (`username_skeleton`);--> statement-breakpoint
CREATE INDEX `users_reputation` ON `users` (`reputation`);--> statement-breakpoint
CREATE INDEX `answers_author_created` ON `answers` (`author_id`,`deleted_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `question_tags_tag_question` ON `question_tags` (`tag_id`,`question_id`);