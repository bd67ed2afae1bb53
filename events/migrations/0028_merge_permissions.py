"""Who reviews candidates and merges events: Editors merge one pair at a time and reject;
Reviewers also merge every open candidate above a score at once."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = ["view_eventcandidate", "change_eventcandidate", "merge_events", "view_eventmerge"]
REVIEWERS = [*EDITORS, "merge_in_bulk"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("events")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", EDITORS), ("Reviewers", REVIEWERS)):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="events", codename__in=codenames)
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="events", codename__in=REVIEWERS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0027_merges_and_candidates"),
        ("sources", "0003_groups"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
