-- Which claims a reader can open: one rule, ckb_claim_is_public(). The claim is not
-- deprecated and does not need work, and its document, the document's outlet and its
-- claimant are published. The database keeps sources_claim.is_public true to it on every
-- write of a claim, document, outlet or actor, whatever wrote it; a row cannot be told to be
-- public. The claims' statement triggers (fatality_rule.sql) then move the events' figures.
--
-- Called by the triggers on sources_claim, sources_document, sources_outlet and actors_actor
-- (created by sources migration 0011), and by the importer for new events' figures.
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again.

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

-- Publishing or unpublishing what claims rest on re-reads the rule for those claims; the
-- claims' own statement trigger (fatality_rule.sql) then moves their events' figures.
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

CREATE OR REPLACE FUNCTION ckb_claimant_actors_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ckb_claims_refresh_public(ARRAY(
        SELECT c.id FROM new_actors n JOIN old_actors o ON o.id = n.id
          JOIN sources_claim c ON c.claimant_actor_id = n.id
         WHERE n.status IS DISTINCT FROM o.status));
    RETURN NULL;
END $$;
