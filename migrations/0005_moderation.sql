CREATE TABLE `close_votes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`question_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`reason` text,
	`duplicate_of_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`settled_at` integer,
	FOREIGN KEY (`question_id`) REFERENCES `questions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `close_votes_question` ON `close_votes` (`question_id`,`kind`,`settled_at`);--> statement-breakpoint
CREATE INDEX `close_votes_user` ON `close_votes` (`user_id`,`question_id`);--> statement-breakpoint
CREATE TABLE `flags` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_type` text NOT NULL,
	`post_id` integer NOT NULL,
	`question_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`flagger_id` integer NOT NULL,
	`reason` text NOT NULL,
	`duplicate_of_id` integer,
	`note` text,
	`status` text DEFAULT 'open' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`resolved_at` integer,
	`resolved_by_id` integer,
	FOREIGN KEY (`flagger_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `flags_post` ON `flags` (`post_type`,`post_id`,`status`);--> statement-breakpoint
CREATE INDEX `flags_status_created` ON `flags` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `flags_flagger` ON `flags` (`flagger_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `flags_author` ON `flags` (`author_id`);--> statement-breakpoint
CREATE TABLE `moderation_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`moderator_id` integer,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` integer NOT NULL,
	`question_id` integer,
	`user_id` integer,
	`reason` text,
	FOREIGN KEY (`moderator_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `moderation_log_at` ON `moderation_log` (`at`);--> statement-breakpoint
CREATE INDEX `moderation_log_user` ON `moderation_log` (`user_id`);--> statement-breakpoint
CREATE TABLE `moderator_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`moderator_id` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`read_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`moderator_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `moderator_messages_user` ON `moderator_messages` (`user_id`);--> statement-breakpoint
ALTER TABLE `answers` ADD `hidden_reason` text;--> statement-breakpoint
ALTER TABLE `comments` ADD `hidden_reason` text;--> statement-breakpoint
ALTER TABLE `questions` ADD `closed_reason` text;--> statement-breakpoint
ALTER TABLE `questions` ADD `closed_by_id` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `closed_at` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `locked_at` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `locked_by_id` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `lock_note` text;--> statement-breakpoint
ALTER TABLE `questions` ADD `pinned_at` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `hidden_reason` text;--> statement-breakpoint
ALTER TABLE `users` ADD `suspended_until` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `suspension_reason` text;