"""Places a UCDP import made below a country took no country code (its rows name the country
only): they take their country's, as the importer now gives them (interchange/sql/names.sql).
Their events' ACLED ids and country filters then see the country."""

from django.db import migrations

FILL = """
UPDATE events_location l SET country_code = c.country_code
  FROM events_location c
 WHERE l.country_code = '' AND l.parent_id IS NOT NULL
   AND c.id = split_part(l.path, '/', 2)::bigint AND c.country_code <> ''
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0028_merge_permissions")]
    operations = [migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop)]
