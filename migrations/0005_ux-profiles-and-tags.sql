ALTER TABLE `tags` ADD `description_md` text;--> statement-breakpoint
ALTER TABLE `tags` ADD `description_html` text;--> statement-breakpoint
ALTER TABLE `users` ADD `about_md` text;--> statement-breakpoint
ALTER TABLE `users` ADD `about_html` text;--> statement-breakpoint
ALTER TABLE `users` ADD `location` text;--> statement-breakpoint
CREATE INDEX `users_reputation` ON `users` (`reputation`);