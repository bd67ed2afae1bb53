-- An event's figures, derived from its claims by the database so that every path that writes
-- claims (admin, API, services, importers, QuerySet.update(), raw SQL) keeps them right: the
-- fatality range by the event's rule, the contested flag, the claim and independent-source
-- counts, twice in one pass: for readers (the plain columns) from the claims they can open
-- (readers_evidence.sql), for staff (staff_*) from every claim that is not deprecated; and
-- when a claim readers can open last changed (evidence_changed_at: ACLED's timestamp).
--
-- The rule (README, "Fatalities"): each accepted fatality claim gives low, best and high, each
-- borrowing from the others where the claim gives none; RANGE = lowest low, the best figure
-- of the most credible claim (ties: the lower figure), highest high; CONSERVATIVE = the
-- lowest of each, as ACLED does; PREFERRED = the preferred claim's figures, or RANGE while
-- none is marked (for readers: while the preferred claim is not theirs to open). Contested =
-- among claims that are not deprecated, a denial, differing fatality figures, or different
-- actors named as perpetrator or as target. A document relaying wire stories counts the
-- relayed outlets instead of its own (for readers, those published).
--
-- Called by the triggers below (on sources_claim, sources_documentrelay and
-- events_event.fatality_rule; created by sources migration 0002), by readers_evidence.sql's
-- triggers, and from Python by events.services.event_recompute_figures. The importer
-- (interchange/sql/) writes a new event's figures as its one claim will make them.
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again.

-- A fatality claim's low, best and high: where the claim gives one figure and not another,
-- the missing one is borrowed from the others. Plain IMMUTABLE expressions, which PostgreSQL
-- inlines where they are called; the importer calls them too (interchange/sql/events.sql).
CREATE OR REPLACE FUNCTION ckb_claim_low(low bigint, best bigint, high bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(low, best, high) $$;

CREATE OR REPLACE FUNCTION ckb_claim_best(low bigint, best bigint, high bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(best, low, high) $$;

CREATE OR REPLACE FUNCTION ckb_claim_high(low bigint, best bigint, high bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(high, best, low) $$;

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
                FROM (SELECT ckb_claim_low(value_low, value_best, value_high) AS lo,
                             ckb_claim_best(value_low, value_best, value_high) AS be,
                             ckb_claim_high(value_low, value_best, value_high) AS hi,
                             credibility, is_public
                        FROM sources_claim
                       WHERE event_id = ev.id AND kind = 'fatalities' AND status = 'accepted') f
          ) fat ON true
          LEFT JOIN LATERAL (
              SELECT ckb_claim_low(value_low, value_best, value_high) AS p_lo,
                     ckb_claim_best(value_low, value_best, value_high) AS p_be,
                     ckb_claim_high(value_low, value_best, value_high) AS p_hi,
                     is_public AS p_public
                FROM sources_claim
               WHERE event_id = ev.id AND kind = 'fatalities' AND status = 'accepted'
                 AND is_preferred
               LIMIT 1
          ) pref ON true
          LEFT JOIN LATERAL (
              SELECT count(*) AS s_claims,
                     bool_or(stance = 'denies') AS s_denied,
                     count(DISTINCT ARRAY[ckb_claim_low(value_low, value_best, value_high),
                                          ckb_claim_best(value_low, value_best, value_high),
                                          ckb_claim_high(value_low, value_best, value_high)])
                         FILTER (WHERE kind = 'fatalities') AS s_figures,
                     count(DISTINCT value_actor_id) FILTER (WHERE kind = 'perpetrator')
                         AS s_perpetrators,
                     count(DISTINCT value_actor_id) FILTER (WHERE kind = 'target') AS s_targets,
                     count(*) FILTER (WHERE is_public) AS r_claims,
                     bool_or(stance = 'denies') FILTER (WHERE is_public) AS r_denied,
                     count(DISTINCT ARRAY[ckb_claim_low(value_low, value_best, value_high),
                                          ckb_claim_best(value_low, value_best, value_high),
                                          ckb_claim_high(value_low, value_best, value_high)])
                         FILTER (WHERE kind = 'fatalities' AND is_public) AS r_figures,
                     count(DISTINCT value_actor_id)
                         FILTER (WHERE kind = 'perpetrator' AND is_public) AS r_perpetrators,
                     count(DISTINCT value_actor_id) FILTER (WHERE kind = 'target' AND is_public)
                         AS r_targets,
                     max(updated_at) FILTER (WHERE is_public) AS r_changed
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
               r_changed AS evidence_changed,
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
           evidence_changed_at = f.evidence_changed,
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
            e.staff_source_count, e.evidence_changed_at)
           IS DISTINCT FROM (f.low, f.best, f.high, f.contested, f.claims, f.sources,
                             f.staff_low, f.staff_best, f.staff_high, f.staff_contested,
                             f.staff_claims, f.staff_sources, f.evidence_changed);
$$;

-- Statement-level triggers see every changed claim at once, so a bulk update of a thousand
-- claims recomputes each affected event once.
CREATE OR REPLACE FUNCTION ckb_claims_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM ckb_recompute_event_figures(ARRAY(
            SELECT DISTINCT event_id FROM new_claims WHERE event_id IS NOT NULL));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM ckb_recompute_event_figures(ARRAY(
            SELECT DISTINCT event_id FROM old_claims WHERE event_id IS NOT NULL));
    ELSE
        PERFORM ckb_recompute_event_figures(ARRAY(
            SELECT event_id FROM new_claims WHERE event_id IS NOT NULL
            UNION SELECT event_id FROM old_claims WHERE event_id IS NOT NULL));
    END IF;
    RETURN NULL;
END $$;

-- A wire story added to or removed from a document changes the independent-source count.
CREATE OR REPLACE FUNCTION ckb_relays_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ckb_recompute_event_figures(ARRAY(
        SELECT DISTINCT c.event_id FROM sources_claim c
         WHERE c.event_id IS NOT NULL
           AND c.document_id = coalesce(NEW.document_id, OLD.document_id)));
    RETURN NULL;
END $$;

-- Changing an event's rule recomputes it (the recomputation leaves the rule alone, so this
-- does not fire again).
CREATE OR REPLACE FUNCTION ckb_event_rule_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ckb_recompute_event_figures(ARRAY[NEW.id]);
    RETURN NULL;
END $$;
