from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API; an app for its ``load_test`` command (readers and writers through it)."""

    name = "api"
    verbose_name = "REST API"
