"""A claim's audit snapshots keep whether readers could open it (``is_public``), so that the
deletions feed tells readers only of claims they could have held, and tells them when a claim
they held stops being public (its document, outlet or claimant unpublished).

Snapshots taken before this migration did not record it: they are taken as public unless
deprecated or needing work, which is what the feed assumed until now.
"""

import core.audit
import core.models
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0011_readers_evidence'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='claim',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='claim',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='claim',
            name='delete_delete',
        ),
        migrations.AddField(
            model_name='claimevent',
            name='is_public',
            field=core.models.ReturnedBooleanField(db_default=False, editable=False, verbose_name='visible to readers'),
        ),
        migrations.RunSQL(
            "UPDATE sources_claimevent SET is_public = status NOT IN ('deprecated', 'needs_work')",
            migrations.RunSQL.noop,
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='claim',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=core.audit.UnskippableTriggerSql(func='WITH _pgh_rows AS MATERIALIZED ( SELECT new_values.* FROM new_values  ), _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value WHERE EXISTS (SELECT FROM _pgh_rows) ) INSERT INTO "sources_claimevent" ("actor_id", "actor_relation_id", "civilians", "claimant_actor_id", "claimant_outlet_id", "combatants", "created_at", "credibility", "deprecation_reason", "document_id", "event_id", "id", "is_preferred", "is_public", "kind", "location_id", "locator", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "quote", "stance", "status", "updated_at", "uuid", "value_actor_id", "value_best", "value_high", "value_low", "value_text") SELECT new_values."actor_id", new_values."actor_relation_id", new_values."civilians", new_values."claimant_actor_id", new_values."claimant_outlet_id", new_values."combatants", new_values."created_at", new_values."credibility", new_values."deprecation_reason", new_values."document_id", new_values."event_id", new_values."id", new_values."is_preferred", new_values."is_public", new_values."kind", new_values."location_id", new_values."locator", new_values."note", _pgh_attached_context.value, NOW(), \'insert\', new_values."id", new_values."quote", new_values."stance", new_values."status", new_values."updated_at", new_values."uuid", new_values."value_actor_id", new_values."value_best", new_values."value_high", new_values."value_low", new_values."value_text" FROM _pgh_rows AS new_values, _pgh_attached_context; RETURN NULL;', hash='ffa73f11f14b5f6547b19df93f5619aa5e006d85', level='STATEMENT', operation='INSERT', pgid='pgtrigger_insert_insert_8c0a8', referencing='REFERENCING NEW TABLE AS new_values ', table='sources_claim', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='claim',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=core.audit.UnskippableTriggerSql(func='WITH _pgh_rows AS MATERIALIZED ( SELECT new_values.* FROM old_values JOIN new_values ON (old_values."id") = (new_values."id") WHERE (old_values."actor_id" IS DISTINCT FROM (new_values."actor_id") OR old_values."actor_relation_id" IS DISTINCT FROM (new_values."actor_relation_id") OR old_values."civilians" IS DISTINCT FROM (new_values."civilians") OR old_values."claimant_actor_id" IS DISTINCT FROM (new_values."claimant_actor_id") OR old_values."claimant_outlet_id" IS DISTINCT FROM (new_values."claimant_outlet_id") OR old_values."combatants" IS DISTINCT FROM (new_values."combatants") OR old_values."created_at" IS DISTINCT FROM (new_values."created_at") OR old_values."credibility" IS DISTINCT FROM (new_values."credibility") OR old_values."deprecation_reason" IS DISTINCT FROM (new_values."deprecation_reason") OR old_values."document_id" IS DISTINCT FROM (new_values."document_id") OR old_values."event_id" IS DISTINCT FROM (new_values."event_id") OR old_values."id" IS DISTINCT FROM (new_values."id") OR old_values."is_preferred" IS DISTINCT FROM (new_values."is_preferred") OR old_values."is_public" IS DISTINCT FROM (new_values."is_public") OR old_values."kind" IS DISTINCT FROM (new_values."kind") OR old_values."location_id" IS DISTINCT FROM (new_values."location_id") OR old_values."locator" IS DISTINCT FROM (new_values."locator") OR old_values."note" IS DISTINCT FROM (new_values."note") OR old_values."quote" IS DISTINCT FROM (new_values."quote") OR old_values."stance" IS DISTINCT FROM (new_values."stance") OR old_values."status" IS DISTINCT FROM (new_values."status") OR old_values."updated_at" IS DISTINCT FROM (new_values."updated_at") OR old_values."uuid" IS DISTINCT FROM (new_values."uuid") OR old_values."value_actor_id" IS DISTINCT FROM (new_values."value_actor_id") OR old_values."value_best" IS DISTINCT FROM (new_values."value_best") OR old_values."value_high" IS DISTINCT FROM (new_values."value_high") OR old_values."value_low" IS DISTINCT FROM (new_values."value_low") OR old_values."value_text" IS DISTINCT FROM (new_values."value_text")) ), _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value WHERE EXISTS (SELECT FROM _pgh_rows) ) INSERT INTO "sources_claimevent" ("actor_id", "actor_relation_id", "civilians", "claimant_actor_id", "claimant_outlet_id", "combatants", "created_at", "credibility", "deprecation_reason", "document_id", "event_id", "id", "is_preferred", "is_public", "kind", "location_id", "locator", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "quote", "stance", "status", "updated_at", "uuid", "value_actor_id", "value_best", "value_high", "value_low", "value_text") SELECT new_values."actor_id", new_values."actor_relation_id", new_values."civilians", new_values."claimant_actor_id", new_values."claimant_outlet_id", new_values."combatants", new_values."created_at", new_values."credibility", new_values."deprecation_reason", new_values."document_id", new_values."event_id", new_values."id", new_values."is_preferred", new_values."is_public", new_values."kind", new_values."location_id", new_values."locator", new_values."note", _pgh_attached_context.value, NOW(), \'update\', new_values."id", new_values."quote", new_values."stance", new_values."status", new_values."updated_at", new_values."uuid", new_values."value_actor_id", new_values."value_best", new_values."value_high", new_values."value_low", new_values."value_text" FROM _pgh_rows AS new_values, _pgh_attached_context; RETURN NULL;', hash='669f168ea6b44899971f5e3d09b31dfbd9727521', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_update_update_5fd97', referencing='REFERENCING OLD TABLE AS old_values  NEW TABLE AS new_values ', table='sources_claim', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='claim',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=core.audit.UnskippableTriggerSql(func='WITH _pgh_rows AS MATERIALIZED ( SELECT old_values.* FROM old_values  ), _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value WHERE EXISTS (SELECT FROM _pgh_rows) ) INSERT INTO "sources_claimevent" ("actor_id", "actor_relation_id", "civilians", "claimant_actor_id", "claimant_outlet_id", "combatants", "created_at", "credibility", "deprecation_reason", "document_id", "event_id", "id", "is_preferred", "is_public", "kind", "location_id", "locator", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "quote", "stance", "status", "updated_at", "uuid", "value_actor_id", "value_best", "value_high", "value_low", "value_text") SELECT old_values."actor_id", old_values."actor_relation_id", old_values."civilians", old_values."claimant_actor_id", old_values."claimant_outlet_id", old_values."combatants", old_values."created_at", old_values."credibility", old_values."deprecation_reason", old_values."document_id", old_values."event_id", old_values."id", old_values."is_preferred", old_values."is_public", old_values."kind", old_values."location_id", old_values."locator", old_values."note", _pgh_attached_context.value, NOW(), \'delete\', old_values."id", old_values."quote", old_values."stance", old_values."status", old_values."updated_at", old_values."uuid", old_values."value_actor_id", old_values."value_best", old_values."value_high", old_values."value_low", old_values."value_text" FROM _pgh_rows AS old_values, _pgh_attached_context; RETURN NULL;', hash='52f460ed31ad23c25c1f2f0fb1541efa515a0efc', level='STATEMENT', operation='DELETE', pgid='pgtrigger_delete_delete_de12c', referencing='REFERENCING OLD TABLE AS old_values ', table='sources_claim', when='AFTER')),
        ),
    ]
