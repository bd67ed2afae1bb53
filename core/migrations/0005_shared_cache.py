from django.db import migrations

# The cache every process shares (core/cache.py): sign-in and API throttle counters.
SHARED_CACHE = """
CREATE UNLOGGED TABLE conflictkb_cache (
    key text PRIMARY KEY,
    value bytea NOT NULL,
    expires timestamptz NOT NULL
);
CREATE INDEX conflictkb_cache_expires ON conflictkb_cache (expires);
"""


class Migration(migrations.Migration):
    dependencies = [("conflictkb", "0004_data_version_for_cached_responses")]

    operations = [migrations.RunSQL(SHARED_CACHE, "DROP TABLE conflictkb_cache")]
