"""`manage.py export_acled`: events as ACLED CSV, filtered like the timeline."""

from interchange.export_command import ExportCommand
from interchange.writing import write_acled


class Command(ExportCommand):
    help = "Write events as ACLED CSV (filters as on the timeline; drafts included unless --published-only)."
    writer = staticmethod(write_acled)
