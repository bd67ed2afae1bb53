"""Readers' figures from readers' evidence.

One rule, ``ckb_claim_is_public()``, says which claims a reader can open: the claim is not
deprecated and does not need work, and its document, the document's outlet and its claimant
are published. The database keeps ``sources_claim.is_public`` true to it on every write of a
claim, document, outlet or actor, whatever wrote it (admin, API, import, ``QuerySet.update()``,
raw SQL); a row cannot be told to be public.

An event's figures are computed twice in one pass over its claims: the readers' (the plain
columns: fatality range, contested, claim and independent-source counts) from public claims
only, and the staff's (``staff_*``) from every claim that is not deprecated. The rules are
those of migration 0002 (see README, "Fatalities"). For readers a relayed outlet counts as a
source only once published; until then the document's own outlet does.
"""

import importlib

from django.db import migrations

import core.models

# Reversing restores migration 0002's figures function, which knows one set of figures.
SINGLE_SET_FIGURES = (
    importlib.import_module("sources.migrations.0002_event_figures")
    .RECOMPUTE.split("-- Statement-level triggers")[0]
)

RULE = r"""
CREATE OR REPLACE FUNCTION ckb_claim_is_public(
    claim_status text, document bigint, claimant_actor bigint, claimant_outlet bigint
) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT claim_status NOT IN ('deprecated', 'needs_work')
       AND EXISTS (SELECT FROM sources_document d JOIN sources_outlet o ON o.id = d.outlet_id
                    WHERE d.id = document AND d.status = 'published' AND o.status = 'published')
       AND (claimant_actor IS NULL
            OR EXISTS (SELECT FROM actors_actor a
                        WHERE a.id = claimant_actor AND a.status = 'published'))
       AND (claimant_outlet IS NULL
            OR EXISTS (SELECT FROM sources_outlet o
                        WHERE o.id = claimant_outlet AND o.status = 'published'))
$$;

-- Every insert, and every update that touches what the rule reads or the flag itself (so a
-- statement cannot set the flag against the rule).
CREATE OR REPLACE FUNCTION ckb_claim_set_public() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.is_public := ckb_claim_is_public(NEW.status, NEW.document_id, NEW.claimant_actor_id,
                                         NEW.claimant_outlet_id);
    RETURN NEW;
END $$;
CREATE TRIGGER ckb_claim_public_on_insert BEFORE INSERT ON sources_claim
    FOR EACH ROW EXECUTE FUNCTION ckb_claim_set_public();
CREATE TRIGGER ckb_claim_public_on_update BEFORE UPDATE ON sources_claim
    FOR EACH ROW
    WHEN ((OLD.status, OLD.document_id, OLD.claimant_actor_id, OLD.claimant_outlet_id,
           OLD.is_public)
          IS DISTINCT FROM (NEW.status, NEW.document_id, NEW.claimant_actor_id,
                            NEW.claimant_outlet_id, NEW.is_public))
    EXECUTE FUNCTION ckb_claim_set_public();

-- Publishing or unpublishing what claims rest on re-reads the rule for those claims; the
-- claims' own statement trigger (migration 0002) then moves their events' figures.
CREATE OR REPLACE FUNCTION ckb_claims_refresh_public(claim_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE sources_claim c
       SET is_public = ckb_claim_is_public(c.status, c.document_id, c.claimant_actor_id,
                                           c.claimant_outlet_id)
     WHERE c.id = ANY(claim_ids)
       AND c.is_public IS DISTINCT FROM ckb_claim_is_public(c.status, c.document_id,
                                                            c.claimant_actor_id,
                                                            c.claimant_outlet_id);
$$;

CREATE OR REPLACE FUNCTION ckb_documents_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ckb_claims_refresh_public(ARRAY(
        SELECT c.id FROM new_documents n JOIN old_documents o ON o.id = n.id
          JOIN sources_claim c ON c.document_id = n.id
         WHERE (n.status, n.outlet_id) IS DISTINCT FROM (o.status, o.outlet_id)));
    RETURN NULL;
END $$;
CREATE TRIGGER ckb_documents_changed AFTER UPDATE ON sources_document
    REFERENCING OLD TABLE AS old_documents NEW TABLE AS new_documents
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_documents_changed();

CREATE OR REPLACE FUNCTION ckb_outlets_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ckb_claims_refresh_public(ARRAY(
        SELECT c.id FROM new_outlets n JOIN old_outlets o ON o.id = n.id
          JOIN sources_claim c ON c.claimant_outlet_id = n.id
         WHERE n.status IS DISTINCT FROM o.status
        UNION
        SELECT c.id FROM new_outlets n JOIN old_outlets o ON o.id = n.id
          JOIN sources_document d ON d.outlet_id = n.id
          JOIN sources_claim c ON c.document_id = d.id
         WHERE n.status IS DISTINCT FROM o.status));
    -- A relayed outlet counts as an independent source for readers once it is published.
    PERFORM ckb_recompute_event_figures(ARRAY(
        SELECT DISTINCT c.event_id FROM new_outlets n JOIN old_outlets o ON o.id = n.id
          JOIN sources_documentrelay r ON r.outlet_id = n.id
          JOIN sources_claim c ON c.document_id = r.document_id
         WHERE n.status IS DISTINCT FROM o.status AND c.event_id IS NOT NULL));
    RETURN NULL;
END $$;
CREATE TRIGGER ckb_outlets_changed AFTER UPDATE ON sources_outlet
    REFERENCING OLD TABLE AS old_outlets NEW TABLE AS new_outlets
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_outlets_changed();

CREATE OR REPLACE FUNCTION ckb_claimant_actors_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ckb_claims_refresh_public(ARRAY(
        SELECT c.id FROM new_actors n JOIN old_actors o ON o.id = n.id
          JOIN sources_claim c ON c.claimant_actor_id = n.id
         WHERE n.status IS DISTINCT FROM o.status));
    RETURN NULL;
END $$;
CREATE TRIGGER ckb_claimant_actors_changed AFTER UPDATE ON actors_actor
    REFERENCING OLD TABLE AS old_actors NEW TABLE AS new_actors
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_claimant_actors_changed();

-- The independent sources a document stands for: the outlets whose reporting it relays (a
-- wire story), or its own outlet when it relays none. Readers count published outlets only.
CREATE OR REPLACE FUNCTION ckb_document_sources(document bigint, for_readers boolean)
RETURNS SETOF bigint LANGUAGE sql STABLE AS $$
    WITH relayed AS (
        SELECT r.outlet_id FROM sources_documentrelay r JOIN sources_outlet o ON o.id = r.outlet_id
         WHERE r.document_id = document AND (NOT for_readers OR o.status = 'published')
    )
    SELECT outlet_id FROM relayed
    UNION ALL
    SELECT outlet_id FROM sources_document
     WHERE id = document AND NOT EXISTS (SELECT FROM relayed)
$$;

-- Both sets of figures from one pass over each event's claims.
CREATE OR REPLACE FUNCTION ckb_recompute_event_figures(event_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    WITH claim_figures AS (
        SELECT ev.id, ev.fatality_rule, fat.*, pref.*, cnt.*, src.*
          FROM events_event ev
          LEFT JOIN LATERAL (
              SELECT min(lo) AS s_min_lo, min(be) AS s_min_be, min(hi) AS s_min_hi,
                     max(hi) AS s_max_hi,
                     (array_agg(be ORDER BY credibility, be))[1] AS s_credible_be,
                     min(lo) FILTER (WHERE is_public) AS r_min_lo,
                     min(be) FILTER (WHERE is_public) AS r_min_be,
                     min(hi) FILTER (WHERE is_public) AS r_min_hi,
                     max(hi) FILTER (WHERE is_public) AS r_max_hi,
                     (array_agg(be ORDER BY credibility, be) FILTER (WHERE is_public))[1]
                         AS r_credible_be
                FROM (SELECT coalesce(value_low, value_best, value_high) AS lo,
                             coalesce(value_best, value_low, value_high) AS be,
                             coalesce(value_high, value_best, value_low) AS hi,
                             credibility, is_public
                        FROM sources_claim
                       WHERE event_id = ev.id AND kind = 'fatalities' AND status = 'accepted') f
          ) fat ON true
          LEFT JOIN LATERAL (
              SELECT coalesce(value_low, value_best, value_high) AS p_lo,
                     coalesce(value_best, value_low, value_high) AS p_be,
                     coalesce(value_high, value_best, value_low) AS p_hi,
                     is_public AS p_public
                FROM sources_claim
               WHERE event_id = ev.id AND kind = 'fatalities' AND status = 'accepted'
                 AND is_preferred
               LIMIT 1
          ) pref ON true
          LEFT JOIN LATERAL (
              SELECT count(*) AS s_claims,
                     bool_or(stance = 'denies') AS s_denied,
                     count(DISTINCT ARRAY[coalesce(value_low, value_best, value_high),
                                          coalesce(value_best, value_low, value_high),
                                          coalesce(value_high, value_best, value_low)])
                         FILTER (WHERE kind = 'fatalities') AS s_figures,
                     count(DISTINCT value_actor_id) FILTER (WHERE kind = 'perpetrator')
                         AS s_perpetrators,
                     count(DISTINCT value_actor_id) FILTER (WHERE kind = 'target') AS s_targets,
                     count(*) FILTER (WHERE is_public) AS r_claims,
                     bool_or(stance = 'denies') FILTER (WHERE is_public) AS r_denied,
                     count(DISTINCT ARRAY[coalesce(value_low, value_best, value_high),
                                          coalesce(value_best, value_low, value_high),
                                          coalesce(value_high, value_best, value_low)])
                         FILTER (WHERE kind = 'fatalities' AND is_public) AS r_figures,
                     count(DISTINCT value_actor_id)
                         FILTER (WHERE kind = 'perpetrator' AND is_public) AS r_perpetrators,
                     count(DISTINCT value_actor_id) FILTER (WHERE kind = 'target' AND is_public)
                         AS r_targets
                FROM sources_claim
               WHERE event_id = ev.id AND status <> 'deprecated'
          ) cnt ON true
          LEFT JOIN LATERAL (
              SELECT count(DISTINCT s.outlet) FILTER (WHERE NOT s.for_readers) AS s_sources,
                     count(DISTINCT s.outlet) FILTER (WHERE s.for_readers) AS r_sources
                FROM (SELECT DISTINCT document_id, is_public FROM sources_claim
                       WHERE event_id = ev.id AND status <> 'deprecated') c
               CROSS JOIN LATERAL (
                   SELECT false AS for_readers, outlet
                     FROM ckb_document_sources(c.document_id, false) outlet
                   UNION ALL
                   SELECT true, outlet
                     FROM ckb_document_sources(c.document_id, true) outlet
                    WHERE c.is_public) s
          ) src ON true
         WHERE ev.id = ANY(event_ids)
    ), figures AS (
        SELECT id,
               CASE WHEN fatality_rule = 'preferred' AND p_public THEN p_lo
                    ELSE r_min_lo END AS low,
               CASE WHEN fatality_rule = 'preferred' AND p_public THEN p_be
                    WHEN fatality_rule = 'conservative' THEN r_min_be
                    ELSE r_credible_be END AS best,
               CASE WHEN fatality_rule = 'preferred' AND p_public THEN p_hi
                    WHEN fatality_rule = 'conservative' THEN r_min_hi
                    ELSE r_max_hi END AS high,
               coalesce(r_denied OR r_figures > 1 OR r_perpetrators > 1 OR r_targets > 1, false)
                   AS contested,
               coalesce(r_claims, 0) AS claims,
               coalesce(r_sources, 0) AS sources,
               CASE WHEN fatality_rule = 'preferred' AND p_lo IS NOT NULL THEN p_lo
                    ELSE s_min_lo END AS staff_low,
               CASE WHEN fatality_rule = 'preferred' AND p_lo IS NOT NULL THEN p_be
                    WHEN fatality_rule = 'conservative' THEN s_min_be
                    ELSE s_credible_be END AS staff_best,
               CASE WHEN fatality_rule = 'preferred' AND p_lo IS NOT NULL THEN p_hi
                    WHEN fatality_rule = 'conservative' THEN s_min_hi
                    ELSE s_max_hi END AS staff_high,
               coalesce(s_denied OR s_figures > 1 OR s_perpetrators > 1 OR s_targets > 1, false)
                   AS staff_contested,
               coalesce(s_claims, 0) AS staff_claims,
               coalesce(s_sources, 0) AS staff_sources
          FROM claim_figures
    )
    UPDATE events_event e
       SET fatalities_low = f.low, fatalities_best = f.best, fatalities_high = f.high,
           contested = f.contested, claim_count = f.claims, source_count = f.sources,
           staff_fatalities_low = f.staff_low, staff_fatalities_best = f.staff_best,
           staff_fatalities_high = f.staff_high, staff_contested = f.staff_contested,
           staff_claim_count = f.staff_claims, staff_source_count = f.staff_sources,
           -- Readers' "changed since" moves with what readers can see, not with drafts.
           updated_at = CASE
               WHEN (e.fatalities_low, e.fatalities_best, e.fatalities_high, e.contested,
                     e.claim_count, e.source_count)
                    IS DISTINCT FROM (f.low, f.best, f.high, f.contested, f.claims, f.sources)
               THEN now() ELSE e.updated_at END
      FROM figures f
     WHERE e.id = f.id
       AND (e.fatalities_low, e.fatalities_best, e.fatalities_high, e.contested,
            e.claim_count, e.source_count, e.staff_fatalities_low, e.staff_fatalities_best,
            e.staff_fatalities_high, e.staff_contested, e.staff_claim_count,
            e.staff_source_count)
           IS DISTINCT FROM (f.low, f.best, f.high, f.contested, f.claims, f.sources,
                             f.staff_low, f.staff_best, f.staff_high, f.staff_contested,
                             f.staff_claims, f.staff_sources);
$$;

-- Every claim as the rule reads it; the claims' statement trigger then computes both sets of
-- figures of every event with claims (an event without claims has none in either set).
UPDATE sources_claim SET is_public = NOT is_public;
"""

DROP = r"""
DROP TRIGGER IF EXISTS ckb_claimant_actors_changed ON actors_actor;
DROP TRIGGER IF EXISTS ckb_outlets_changed ON sources_outlet;
DROP TRIGGER IF EXISTS ckb_documents_changed ON sources_document;
DROP TRIGGER IF EXISTS ckb_claim_public_on_update ON sources_claim;
DROP TRIGGER IF EXISTS ckb_claim_public_on_insert ON sources_claim;
DROP FUNCTION IF EXISTS ckb_claimant_actors_changed();
DROP FUNCTION IF EXISTS ckb_outlets_changed();
DROP FUNCTION IF EXISTS ckb_documents_changed();
DROP FUNCTION IF EXISTS ckb_claims_refresh_public(bigint[]);
DROP FUNCTION IF EXISTS ckb_claim_set_public();
DROP FUNCTION IF EXISTS ckb_claim_is_public(text, bigint, bigint, bigint);
DROP FUNCTION IF EXISTS ckb_document_sources(bigint, boolean);
""" + SINGLE_SET_FIGURES


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0007_keep_old_names"),
        ("events", "0018_staff_figures"),
        ("sources", "0010_status_index_without_pattern_twin"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="is_public",
            field=core.models.ReturnedBooleanField(
                db_default=False, editable=False, verbose_name="visible to readers"
            ),
        ),
        migrations.RunSQL(RULE, DROP),
    ]
