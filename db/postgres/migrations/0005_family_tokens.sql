ALTER TABLE "refresh_families" ADD COLUMN "generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "refresh_families" ADD COLUMN "token_hash" text;--> statement-breakpoint
ALTER TABLE "refresh_families" ADD COLUMN "previous_generation" integer;--> statement-breakpoint
ALTER TABLE "refresh_families" ADD COLUMN "previous_token_hash" text;--> statement-breakpoint
ALTER TABLE "refresh_families" ADD COLUMN "previous_used_at" bigint;--> statement-breakpoint
ALTER TABLE "refresh_families" ADD COLUMN "previous_superseded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Existing families keep working: their live token (unused, newest) and its parent move into the row.
UPDATE "refresh_families" f SET "token_hash" = t."token_hash", "generation" = t."generation"
FROM (
	SELECT DISTINCT ON ("family_id") "family_id", "token_hash", "generation" FROM "refresh_tokens"
	WHERE "used_at" IS NULL ORDER BY "family_id", "generation" DESC
) t
WHERE t."family_id" = f."id" AND f."revoked_at" IS NULL;--> statement-breakpoint
UPDATE "refresh_families" f SET
	"previous_generation" = p."generation",
	"previous_token_hash" = p."token_hash",
	"previous_used_at" = p."used_at",
	"previous_superseded" = p."superseded_at" IS NOT NULL
FROM "refresh_tokens" t JOIN "refresh_tokens" p ON p."id" = t."parent_id"
WHERE t."token_hash" = f."token_hash";
