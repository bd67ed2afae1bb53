"""An event's fatality range, contested flag and evidence counts, derived from its claims.

The database keeps them, so every path that changes claims (the admin, the API, services,
importers, ``QuerySet.update()``, raw SQL) recomputes them. ``ckb_recompute_event_figures``
is the one definition; ``events.services.event_recompute_figures`` calls it from Python.

Rules (see README, "Fatalities"): each accepted fatality claim gives lo/be/hi (missing values
borrowed from the claim's other values); RANGE = lowest low, the best figure of the most
credible claim (ties: the lower figure), highest high; CONSERVATIVE = the lowest of each, as
ACLED does; PREFERRED = the preferred claim's figures, or RANGE while none is marked.
Contested = among claims that are not deprecated, a denial, differing fatality figures, or
different actors named as perpetrator or as target. Independent sources count a document's
relayed outlets (a wire story) instead of the outlet that reprinted it.
"""

from django.db import migrations

RECOMPUTE = r"""
CREATE OR REPLACE FUNCTION ckb_recompute_event_figures(event_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    WITH figures AS (
        SELECT ev.id,
               CASE WHEN ev.fatality_rule = 'preferred' AND pref.lo IS NOT NULL THEN pref.lo
                    ELSE fat.min_lo END AS low,
               CASE WHEN ev.fatality_rule = 'preferred' AND pref.lo IS NOT NULL THEN pref.be
                    WHEN ev.fatality_rule = 'conservative' THEN fat.min_be
                    ELSE fat.credible_be END AS best,
               CASE WHEN ev.fatality_rule = 'preferred' AND pref.lo IS NOT NULL THEN pref.hi
                    WHEN ev.fatality_rule = 'conservative' THEN fat.min_hi
                    ELSE fat.max_hi END AS high,
               coalesce(cnt.denied OR cnt.figures > 1 OR cnt.perpetrators > 1 OR cnt.targets > 1,
                        false) AS contested,
               coalesce(cnt.claims, 0) AS claims,
               coalesce(src.sources, 0) AS sources
          FROM events_event ev
          LEFT JOIN LATERAL (
              SELECT min(lo) AS min_lo, min(be) AS min_be, min(hi) AS min_hi, max(hi) AS max_hi,
                     (array_agg(be ORDER BY credibility, be))[1] AS credible_be
                FROM (SELECT coalesce(value_low, value_best, value_high) AS lo,
                             coalesce(value_best, value_low, value_high) AS be,
                             coalesce(value_high, value_best, value_low) AS hi,
                             credibility
                        FROM sources_claim
                       WHERE event_id = ev.id AND kind = 'fatalities' AND status = 'accepted') f
          ) fat ON true
          LEFT JOIN LATERAL (
              SELECT coalesce(value_low, value_best, value_high) AS lo,
                     coalesce(value_best, value_low, value_high) AS be,
                     coalesce(value_high, value_best, value_low) AS hi
                FROM sources_claim
               WHERE event_id = ev.id AND kind = 'fatalities' AND status = 'accepted'
                 AND is_preferred
               LIMIT 1
          ) pref ON true
          LEFT JOIN LATERAL (
              SELECT count(*) AS claims,
                     bool_or(stance = 'denies') AS denied,
                     count(DISTINCT ARRAY[coalesce(value_low, value_best, value_high),
                                          coalesce(value_best, value_low, value_high),
                                          coalesce(value_high, value_best, value_low)])
                         FILTER (WHERE kind = 'fatalities') AS figures,
                     count(DISTINCT value_actor_id) FILTER (WHERE kind = 'perpetrator') AS perpetrators,
                     count(DISTINCT value_actor_id) FILTER (WHERE kind = 'target') AS targets
                FROM sources_claim
               WHERE event_id = ev.id AND status <> 'deprecated'
          ) cnt ON true
          LEFT JOIN LATERAL (
              SELECT count(DISTINCT coalesce(r.outlet_id, d.outlet_id)) AS sources
                FROM sources_claim c
                JOIN sources_document d ON d.id = c.document_id
                LEFT JOIN sources_documentrelay r ON r.document_id = d.id
               WHERE c.event_id = ev.id AND c.status <> 'deprecated'
          ) src ON true
         WHERE ev.id = ANY(event_ids)
    )
    UPDATE events_event e
       SET fatalities_low = f.low, fatalities_best = f.best, fatalities_high = f.high,
           contested = f.contested, claim_count = f.claims, source_count = f.sources,
           updated_at = now()
      FROM figures f
     WHERE e.id = f.id
       AND (e.fatalities_low, e.fatalities_best, e.fatalities_high, e.contested,
            e.claim_count, e.source_count)
           IS DISTINCT FROM (f.low, f.best, f.high, f.contested, f.claims, f.sources);
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

CREATE TRIGGER ckb_claims_inserted AFTER INSERT ON sources_claim
    REFERENCING NEW TABLE AS new_claims
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_claims_changed();
CREATE TRIGGER ckb_claims_updated AFTER UPDATE ON sources_claim
    REFERENCING OLD TABLE AS old_claims NEW TABLE AS new_claims
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_claims_changed();
CREATE TRIGGER ckb_claims_deleted AFTER DELETE ON sources_claim
    REFERENCING OLD TABLE AS old_claims
    FOR EACH STATEMENT EXECUTE FUNCTION ckb_claims_changed();

-- A wire story added to or removed from a document changes the independent-source count.
CREATE OR REPLACE FUNCTION ckb_relays_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ckb_recompute_event_figures(ARRAY(
        SELECT DISTINCT c.event_id FROM sources_claim c
         WHERE c.event_id IS NOT NULL
           AND c.document_id = coalesce(NEW.document_id, OLD.document_id)));
    RETURN NULL;
END $$;
CREATE TRIGGER ckb_relays_changed AFTER INSERT OR UPDATE OR DELETE ON sources_documentrelay
    FOR EACH ROW EXECUTE FUNCTION ckb_relays_changed();

-- Changing an event's rule recomputes it (the recomputation leaves the rule alone, so this
-- does not fire again).
CREATE OR REPLACE FUNCTION ckb_event_rule_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ckb_recompute_event_figures(ARRAY[NEW.id]);
    RETURN NULL;
END $$;
CREATE TRIGGER ckb_event_rule_changed AFTER UPDATE OF fatality_rule ON events_event
    FOR EACH ROW WHEN (OLD.fatality_rule IS DISTINCT FROM NEW.fatality_rule)
    EXECUTE FUNCTION ckb_event_rule_changed();
"""

DROP = """
DROP TRIGGER IF EXISTS ckb_event_rule_changed ON events_event;
DROP TRIGGER IF EXISTS ckb_relays_changed ON sources_documentrelay;
DROP TRIGGER IF EXISTS ckb_claims_inserted ON sources_claim;
DROP TRIGGER IF EXISTS ckb_claims_updated ON sources_claim;
DROP TRIGGER IF EXISTS ckb_claims_deleted ON sources_claim;
DROP FUNCTION IF EXISTS ckb_event_rule_changed();
DROP FUNCTION IF EXISTS ckb_relays_changed();
DROP FUNCTION IF EXISTS ckb_claims_changed();
DROP FUNCTION IF EXISTS ckb_recompute_event_figures(bigint[]);
"""


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_initial")]
    operations = [migrations.RunSQL(RECOMPUTE, DROP)]
