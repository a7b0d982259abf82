-- Pushed revocation (docs/decisions/pushed-revocation.md): every change the full check must see is
-- announced on the auth_revocations channel when its transaction commits. Payloads: u:<user id>,
-- f:<family id>, j:<expires at>:<jti>. Rotations (which leave revoked_at alone) announce nothing.
CREATE FUNCTION auth_notice_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('auth_revocations', 'u:' || OLD.id);
	RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION auth_notice_family() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('auth_revocations', 'f:' || OLD.id);
	RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION auth_notice_jti() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('auth_revocations', 'j:' || NEW.expires_at || ':' || NEW.jti);
	RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER users_changed AFTER UPDATE ON users FOR EACH ROW
	WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION auth_notice_user();--> statement-breakpoint
CREATE TRIGGER users_deleted AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION auth_notice_user();--> statement-breakpoint
CREATE TRIGGER refresh_families_revoked AFTER UPDATE OF revoked_at ON refresh_families FOR EACH ROW
	WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at) EXECUTE FUNCTION auth_notice_family();--> statement-breakpoint
CREATE TRIGGER refresh_families_deleted AFTER DELETE ON refresh_families FOR EACH ROW EXECUTE FUNCTION auth_notice_family();--> statement-breakpoint
CREATE TRIGGER revoked_jtis_added AFTER INSERT ON revoked_jtis FOR EACH ROW EXECUTE FUNCTION auth_notice_jti();
