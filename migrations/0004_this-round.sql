CREATE TABLE `account_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`purpose` text NOT NULL,
	`secret_hash` text NOT NULL,
	`address` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `account_tokens_user` ON `account_tokens` (`user_id`,`purpose`,`created_at`);--> statement-breakpoint
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
CREATE TABLE `desk_assignments` (
	`question_id` integer PRIMARY KEY NOT NULL,
	`staff_id` integer NOT NULL,
	`assigned_at` integer NOT NULL,
	FOREIGN KEY (`question_id`) REFERENCES `questions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`staff_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `desk_assignments_staff` ON `desk_assignments` (`staff_id`);--> statement-breakpoint
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
CREATE TABLE `mail_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_token` text NOT NULL,
	`to_user_id` integer,
	`to_address` text NOT NULL,
	`locale` text NOT NULL,
	`kind` text NOT NULL,
	`security` integer DEFAULT false NOT NULL,
	`template` text NOT NULL,
	`data` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`claimed_until` integer,
	`last_error` text,
	`group_key` text,
	`subject` text,
	`text_body` text,
	`html_body` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`to_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_outbox_token` ON `mail_outbox` (`message_token`);--> statement-breakpoint
CREATE INDEX `mail_outbox_due` ON `mail_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_user` ON `mail_outbox` (`to_user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_group` ON `mail_outbox` (`to_user_id`,`group_key`,`created_at`);--> statement-breakpoint
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
CREATE TABLE `notification_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event` text NOT NULL,
	`data` text NOT NULL,
	`cursor` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`done_at` integer
);
--> statement-breakpoint
CREATE INDEX `notification_jobs_open` ON `notification_jobs` (`done_at`,`id`);--> statement-breakpoint
CREATE TABLE `notification_preferences` (
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`delivery` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_preferences_pk` ON `notification_preferences` (`user_id`,`kind`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`actor_id` integer,
	`question_id` integer,
	`answer_id` integer,
	`data` text DEFAULT '{}' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`read_at` integer,
	`mailed_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notifications_user` ON `notifications` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_unread` ON `notifications` (`user_id`,`read_at`);--> statement-breakpoint
CREATE INDEX `notifications_digest` ON `notifications` (`mailed_at`,`created_at`,`user_id`);--> statement-breakpoint
CREATE TABLE `question_follows` (
	`question_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`question_id`) REFERENCES `questions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `question_follows_pk` ON `question_follows` (`question_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `question_follows_user` ON `question_follows` (`user_id`);--> statement-breakpoint
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
CREATE TABLE `staff_feed_tokens` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `support_case_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`body_md` text NOT NULL,
	`body_html` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `support_cases`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `support_case_messages_case` ON `support_case_messages` (`case_id`,`id`);--> statement-breakpoint
CREATE TABLE `support_cases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`question_id` integer NOT NULL,
	`asker_id` integer NOT NULL,
	`opened_by_id` integer NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`assignee_id` integer,
	`private_details` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer NOT NULL,
	`solved_at` integer,
	FOREIGN KEY (`question_id`) REFERENCES `questions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`asker_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`opened_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assignee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `support_cases_question` ON `support_cases` (`question_id`,`status`);--> statement-breakpoint
CREATE INDEX `support_cases_asker` ON `support_cases` (`asker_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `support_cases_status` ON `support_cases` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `support_cases_created` ON `support_cases` (`created_at`);--> statement-breakpoint
CREATE TABLE `tag_follows` (
	`tag_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`tag_id`) REFERENCES `tags`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tag_follows_pk` ON `tag_follows` (`tag_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `tag_follows_user` ON `tag_follows` (`user_id`);--> statement-breakpoint
ALTER TABLE `answers` ADD `hidden_reason` text;--> statement-breakpoint
CREATE INDEX `answers_author_created` ON `answers` (`author_id`,`deleted_at`,`created_at`);--> statement-breakpoint
ALTER TABLE `comments` ADD `hidden_reason` text;--> statement-breakpoint
ALTER TABLE `questions` ADD `accepted_by_id` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `closed_reason` text;--> statement-breakpoint
ALTER TABLE `questions` ADD `closed_by_id` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `closed_at` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `locked_at` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `locked_by_id` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `lock_note` text;--> statement-breakpoint
ALTER TABLE `questions` ADD `pinned_at` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `hidden_reason` text;--> statement-breakpoint
CREATE INDEX `questions_author_activity` ON `questions` (`author_id`,`deleted_at`,`last_activity_at`);--> statement-breakpoint
CREATE INDEX `questions_duplicate_of` ON `questions` (`duplicate_of_id`);--> statement-breakpoint
ALTER TABLE `tags` ADD `description_md` text;--> statement-breakpoint
ALTER TABLE `tags` ADD `description_html` text;--> statement-breakpoint
ALTER TABLE `users` ADD `username_skeleton` text;--> statement-breakpoint
ALTER TABLE `users` ADD `about_md` text;--> statement-breakpoint
ALTER TABLE `users` ADD `about_html` text;--> statement-breakpoint
ALTER TABLE `users` ADD `location` text;--> statement-breakpoint
ALTER TABLE `users` ADD `email_verified_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `suspended_until` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `suspension_reason` text;--> statement-breakpoint
CREATE INDEX `users_username_skeleton` ON `users` (`username_skeleton`);--> statement-breakpoint
CREATE INDEX `users_reputation` ON `users` (`reputation`);--> statement-breakpoint
CREATE INDEX `question_tags_tag_question` ON `question_tags` (`tag_id`,`question_id`);