"""`manage.py import_ucdp FILE`: load a UCDP GED CSV file (see interchange)."""

from interchange.commands import ImportCommand


class Command(ImportCommand):
    help = "Import a UCDP GED CSV file: create or update events by their UCDP GED id, atomically."
    dataset = "ucdp"
