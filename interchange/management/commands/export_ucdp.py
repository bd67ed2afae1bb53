"""`manage.py export_ucdp`: events as UCDP GED CSV, filtered like the timeline."""

from interchange.export_command import ExportCommand
from interchange.writing import write_ucdp


class Command(ExportCommand):
    help = "Write events as UCDP GED CSV (filters as on the timeline; drafts included unless --published-only)."
    writer = staticmethod(write_ucdp)
