-- The importer's claims (interchange/loading.py): the dataset's own figure for each event,
-- one claim per event with the dataset as claimant. The claims' statement triggers
-- (sources/sql/fatality_rule.sql) recompute the figures of the events they touch.
--
-- Statements the importer runs itself, read by name (core.sql_files.statements): a change
-- here takes effect with the next import, no migration needed.

-- name: insert_claims
-- Run twice, for the lines up to a cutoff and then the rest: loading.py says why.
INSERT INTO sources_claim (uuid, created_at, updated_at, event_id, kind, claimant_outlet_id,
                           document_id, locator, quote, value_low, value_best, value_high,
                           civilians, combatants, value_text, stance, credibility, status,
                           deprecation_reason, is_preferred, note)
SELECT gen_random_uuid(), now(), now(), m.event_id, 'fatalities', %(outlet)s, d.document_id,
       '', s.quote, s.low, s.best, s.high, s.civilians, s.combatants, s.value_text, 'asserts',
       6, 'accepted', '', false, ''
  FROM ckb_stg_match m
  JOIN ckb_stg_row s ON s.line = m.line
  JOIN ckb_stg_doc d ON d.doc = s.doc
  LEFT JOIN ckb_stg_edit x ON x.line = m.line
 WHERE (m.is_new OR (x.claim_id IS NULL AND 'fatalities' = ANY(x.changed)))
   AND m.line BETWEEN %(from_line)s AND %(to_line)s
 ORDER BY m.line

-- name: update_claims
UPDATE sources_claim c SET
       value_low = CASE WHEN 'fatalities' = ANY(x.changed) THEN s.low ELSE c.value_low END,
       value_best = CASE WHEN 'fatalities' = ANY(x.changed) THEN s.best ELSE c.value_best END,
       value_high = CASE WHEN 'fatalities' = ANY(x.changed) THEN s.high ELSE c.value_high END,
       civilians = CASE WHEN 'fatalities' = ANY(x.changed) THEN s.civilians ELSE c.civilians END,
       combatants = CASE WHEN 'fatalities' = ANY(x.changed)
                         THEN s.combatants ELSE c.combatants END,
       value_text = CASE WHEN 'fatalities' = ANY(x.changed)
                         THEN s.value_text ELSE c.value_text END,
       document_id = CASE WHEN 'source' = ANY(x.changed) THEN d.document_id ELSE c.document_id END,
       quote = CASE WHEN 'source' = ANY(x.changed) THEN s.quote ELSE c.quote END,
       updated_at = now()
  FROM ckb_stg_edit x
  JOIN ckb_stg_row s ON s.line = x.line
  JOIN ckb_stg_doc d ON d.doc = s.doc
 WHERE c.id = x.claim_id AND x.changed && ARRAY['fatalities', 'source']
