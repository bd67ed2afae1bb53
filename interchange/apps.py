from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Every outside layout (ACLED, UCDP, ConflictKB CSV, GeoJSON, claims), its importers and
    exporters, and the downloads the pages offer."""

    name = "interchange"
