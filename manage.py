#!/usr/bin/env python
"""Django's command-line utility for ConflictKB."""

import os
import signal
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conflictkb.settings")
    # SIGTERM ends the command like a normal exit, so the embedded PostgreSQL is released (the
    # settings cannot do this under runserver's reloader: they load outside the main thread).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
