"""Preload the event-type vocabulary from fixtures/event_types.json (ACLED's 6 types and
25 sub-types, plus summit, offensive and designation)."""

import json
from pathlib import Path

from django.db import migrations

VOCABULARY = Path(__file__).resolve().parents[2] / "fixtures" / "event_types.json"


def load(apps, schema_editor):
    EventType = apps.get_model("events", "EventType")
    rows = json.loads(VOCABULARY.read_text(encoding="utf-8"))
    by_slug = {}
    for row in rows:  # parents come first in the file; references are natural keys (slugs)
        fields = dict(row["fields"])
        parent = fields.pop("parent")
        fields["parent"] = by_slug[parent[0]] if parent else None
        slug = fields.pop("slug")
        by_slug[slug], _ = EventType.objects.update_or_create(slug=slug, defaults=fields)


def unload(apps, schema_editor):
    apps.get_model("events", "EventType").objects.filter(parent__isnull=False).delete()
    apps.get_model("events", "EventType").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
