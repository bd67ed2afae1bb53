"""The Editors and Reviewers groups.

Editors add and change everything but cannot publish or deprecate; Reviewers can also publish,
deprecate claims and delete records. Superusers hold every permission anyway.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DOMAIN_MODELS = {
    "actors": ["actor", "actorname", "actorrelation"],
    "events": ["location", "eventtype", "event", "participation", "eventrelation"],
    "sources": ["outlet", "document", "documentrelay", "claim"],
}
# Rows edited inline on another record's page: removing one is part of editing its parent.
INLINE_MODELS = {"actorname", "actorrelation", "participation", "eventrelation", "documentrelay"}
PUBLISH = ["publish_actor", "publish_location", "publish_event", "publish_outlet", "publish_document"]


def codenames_for(group):
    codenames = []
    for models in DOMAIN_MODELS.values():
        for model in models:
            codenames += [f"add_{model}", f"change_{model}", f"view_{model}"]
            if model in INLINE_MODELS or group == "Reviewers":
                codenames.append(f"delete_{model}")
    if group == "Reviewers":
        codenames += PUBLISH + ["deprecate_claim"]
    return codenames


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ("Editors", "Reviewers"):
        group, _ = Group.objects.get_or_create(name=name)
        wanted = codenames_for(name)
        permissions = Permission.objects.filter(
            content_type__app_label__in=DOMAIN_MODELS, codename__in=wanted
        )
        missing = set(wanted) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0002_event_figures"),
        ("events", "0002_event_types"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
