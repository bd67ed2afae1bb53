"""`manage.py import_acled FILE`: load a ACLED CSV file (see interchange)."""

from interchange.commands import ImportCommand


class Command(ImportCommand):
    help = "Import a ACLED CSV file: create or update events by their ACLED id, atomically."
    dataset = "acled"
