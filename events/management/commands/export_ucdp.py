"""`manage.py export_ucdp`: events as UCDP GED CSV, filtered like the timeline."""

from events.interchange.export_command import ExportCommand
from events.interchange.writing import write_ucdp


class Command(ExportCommand):
    help = "Write events as UCDP GED CSV (filters as on the timeline; drafts included unless --published-only)."
    writer = staticmethod(write_ucdp)
