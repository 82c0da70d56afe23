"""Crash points for tests: `DUBAN_CRASH_AT=<point>` kills the process there with SIGKILL."""

from __future__ import annotations

import os
import signal

ENV = "DUBAN_CRASH_AT"


def crash_point(name: str) -> None:
    """Die at once (as `kill -9` would) when the environment names this point."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
