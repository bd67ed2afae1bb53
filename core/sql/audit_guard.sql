-- Who made a change: only the site can say (core/audit.py explains the scheme). The audit
-- triggers call _pgh_attach_context(), which records the request's context only when its
-- signature is the site's, checked against keys the site's role cannot read.
--
-- Run after every migrate, as the tables' owner, by core.audit.install_audit_guard (it then
-- stores the keys); it replaces pghistory's own _pgh_attach_context. No migration runs it.

CREATE SCHEMA IF NOT EXISTS ckb_private;
REVOKE ALL ON SCHEMA ckb_private FROM PUBLIC;
-- One key per secret the site may sign with: SECRET_KEY and SECRET_KEY_FALLBACKS.
CREATE TABLE IF NOT EXISTS ckb_private.audit_keys (key bytea PRIMARY KEY);

-- HMAC-SHA256 (RFC 2104) from the built-in sha256(): pgcrypto is not on every server.
CREATE OR REPLACE FUNCTION ckb_private.hmac_sha256(key bytea, message bytea)
RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    block bytea := CASE WHEN length(key) > 64 THEN sha256(key) ELSE key END;
    inner_pad bytea;
    outer_pad bytea;
BEGIN
    block := block || decode(repeat('00', 64 - length(block)), 'hex');
    inner_pad := block;
    outer_pad := block;
    FOR i IN 0..63 LOOP
        inner_pad := set_byte(inner_pad, i, get_byte(block, i) # 54);
        outer_pad := set_byte(outer_pad, i, get_byte(block, i) # 92);
    END LOOP;
    RETURN sha256(outer_pad || sha256(inner_pad || message));
END $$;

CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS uuid LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    context_id text := NULLIF(current_setting('pghistory.context_id', true), '');
    metadata text := NULLIF(current_setting('pghistory.context_metadata', true), '');
    signature text := NULLIF(current_setting('ckb.context_signature', true), '');
BEGIN
    IF context_id IS NULL AND metadata IS NULL THEN
        RETURN NULL;
    END IF;
    IF signature IS NULL OR NOT EXISTS (
        SELECT FROM ckb_private.audit_keys
        WHERE encode(ckb_private.hmac_sha256(
            key, convert_to(concat_ws(E'\n', context_id, metadata, pg_backend_pid()::text), 'UTF8')
        ), 'hex') = signature
    ) THEN
        RAISE EXCEPTION 'the audit context of this change was not set by the site'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Changes are attributed through the site; run migrate with the '
                         'site''s SECRET_KEY if the site itself sees this.';
    END IF;
    INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
        VALUES (context_id::uuid, metadata::jsonb, now(), now())
        ON CONFLICT (id) DO UPDATE
            SET metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at
            WHERE pghistory_context.metadata != EXCLUDED.metadata;
    RETURN context_id::uuid;
END $$;
REVOKE ALL ON FUNCTION _pgh_attach_context() FROM PUBLIC;
