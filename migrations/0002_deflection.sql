CREATE TABLE `deflection_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`visitor_id` text NOT NULL,
	`user_id` integer,
	`question_id` integer,
	`query` text,
	`result_count` integer,
	`rank` integer,
	`variant` text
);
--> statement-breakpoint
CREATE INDEX `deflection_at` ON `deflection_events` (`at`);--> statement-breakpoint
CREATE INDEX `deflection_visitor_at` ON `deflection_events` (`visitor_id`,`at`);--> statement-breakpoint
CREATE INDEX `deflection_user_at` ON `deflection_events` (`user_id`,`at`);--> statement-breakpoint
CREATE TABLE `deflection_rollups` (
	`day` text PRIMARY KEY NOT NULL,
	`settings_key` text NOT NULL,
	`data` text NOT NULL,
	`computed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `visitor_links` (
	`visitor_id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`linked_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `questions` ADD `accepted_at` integer;