from django.apps import AppConfig


class ConflictKBConfig(AppConfig):
    name = "conflictkb"
    verbose_name = "ConflictKB"
