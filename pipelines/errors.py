"""Errors a user can act on: the CLI prints their message on one line and exits non-zero."""

from __future__ import annotations

from pipelines.drift import HeaderDrift


class DubanError(Exception):
    """A user-facing error: the message says what was wrong, where, and what to do."""


class ConfigError(DubanError):
    """A source config, contract or settings file is invalid."""


class FileRejected(DubanError):
    """A whole file was rejected (not a table, wrong or missing columns, empty, undecodable)."""

    def __init__(
        self,
        file: str,
        problem: str,
        hint: str,
        kind: str = "unreadable",
        drift: HeaderDrift | None = None,
    ) -> None:
        self.file = file
        self.kind = kind  # empty, unreadable, not_a_table, schema_drift, no_reference
        self.drift = drift  # for schema_drift: the header's column diff, as data
        self.problem = problem
        self.hint = hint
        super().__init__(f"{file}: {problem}; {hint}")
