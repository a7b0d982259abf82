CREATE TABLE "mail_queue" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"recipient_key" text NOT NULL,
	"payload" text,
	"created_at" bigint NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claimed_until" bigint,
	"sent_at" bigint,
	"failed_at" bigint,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "email_tokens" ADD COLUMN "registration_password_hash" text;--> statement-breakpoint
ALTER TABLE "email_tokens" ADD COLUMN "registration_name" text;--> statement-breakpoint
CREATE INDEX "mail_queue_recipient_idx" ON "mail_queue" USING btree ("recipient_key","created_at");--> statement-breakpoint
CREATE INDEX "mail_queue_due_idx" ON "mail_queue" USING btree ("next_attempt_at") WHERE "mail_queue"."sent_at" is null and "mail_queue"."failed_at" is null;