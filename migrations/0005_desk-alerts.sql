CREATE TABLE `desk_alerts` (
	`question_id` integer NOT NULL,
	`stage` text NOT NULL,
	`alerted_at` integer NOT NULL,
	FOREIGN KEY (`question_id`) REFERENCES `questions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `desk_alerts_question_stage` ON `desk_alerts` (`question_id`,`stage`);--> statement-breakpoint
CREATE INDEX `desk_alerts_alerted` ON `desk_alerts` (`alerted_at`);