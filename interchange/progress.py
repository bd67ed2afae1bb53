"""A progress bar for terminals: a few lines instead of a dependency."""

from __future__ import annotations

import sys
import time
from typing import TextIO

# The import's steps in order, with their rough share of the time.
STEPS = ["reading", "actors", "places", "documents", "events", "participants", "claims", "done"]


class ProgressBar:
    """Redraws one line on stderr as the import moves from step to step; silent when stderr is
    not a terminal (cron, pipes, tests)."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.width = width
        self.started = time.monotonic()

    def __call__(self, step: str) -> None:
        if not self.enabled:
            return
        done = STEPS.index(step) if step in STEPS else 0
        filled = round(self.width * done / (len(STEPS) - 1))
        elapsed = time.monotonic() - self.started
        bar = "█" * filled + "·" * (self.width - filled)
        self.stream.write(f"\r{bar} {step:<13} {elapsed:5.1f} s")
        if step == "done":
            self.stream.write("\n")
        self.stream.flush()
