CREATE TABLE `mail_queue` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`recipient_key` text NOT NULL,
	`payload` text,
	`created_at` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`claimed_until` integer,
	`sent_at` integer,
	`failed_at` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `mail_queue_recipient_idx` ON `mail_queue` (`recipient_key`,`created_at`);--> statement-breakpoint
CREATE INDEX `mail_queue_due_idx` ON `mail_queue` (`next_attempt_at`) WHERE "mail_queue"."sent_at" is null and "mail_queue"."failed_at" is null;--> statement-breakpoint
ALTER TABLE `email_tokens` ADD `registration_password_hash` text;--> statement-breakpoint
ALTER TABLE `email_tokens` ADD `registration_name` text;