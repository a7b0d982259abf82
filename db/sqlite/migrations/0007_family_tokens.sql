ALTER TABLE `refresh_families` ADD `generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `token_hash` text;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `previous_generation` integer;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `previous_token_hash` text;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `previous_used_at` integer;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `previous_superseded` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Existing families keep working: their live token (unused, newest) and its parent move into the row.
UPDATE `refresh_families` SET
	`token_hash` = (SELECT t.`token_hash` FROM `refresh_tokens` t WHERE t.`family_id` = `refresh_families`.`id` AND t.`used_at` IS NULL ORDER BY t.`generation` DESC LIMIT 1),
	`generation` = COALESCE((SELECT t.`generation` FROM `refresh_tokens` t WHERE t.`family_id` = `refresh_families`.`id` AND t.`used_at` IS NULL ORDER BY t.`generation` DESC LIMIT 1), 0)
WHERE `revoked_at` IS NULL;--> statement-breakpoint
UPDATE `refresh_families` SET
	`previous_generation` = (SELECT p.`generation` FROM `refresh_tokens` t JOIN `refresh_tokens` p ON p.`id` = t.`parent_id` WHERE t.`token_hash` = `refresh_families`.`token_hash`),
	`previous_token_hash` = (SELECT p.`token_hash` FROM `refresh_tokens` t JOIN `refresh_tokens` p ON p.`id` = t.`parent_id` WHERE t.`token_hash` = `refresh_families`.`token_hash`),
	`previous_used_at` = (SELECT p.`used_at` FROM `refresh_tokens` t JOIN `refresh_tokens` p ON p.`id` = t.`parent_id` WHERE t.`token_hash` = `refresh_families`.`token_hash`),
	`previous_superseded` = COALESCE((SELECT p.`superseded_at` IS NOT NULL FROM `refresh_tokens` t JOIN `refresh_tokens` p ON p.`id` = t.`parent_id` WHERE t.`token_hash` = `refresh_families`.`token_hash`), 0)
WHERE `token_hash` IS NOT NULL;
