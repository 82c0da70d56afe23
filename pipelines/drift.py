"""Schema drift: how a file's header differs from what its source config expects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Renamed:
    """A canonical column found under one of its later names, not the first one configured."""

    column_name: str  # the canonical column
    expected_name: str  # the first name the config gives it
    found_name: str  # the name the file used


@dataclass(frozen=True)
class HeaderDrift:
    """What changed in a file's header: columns nobody reads, columns found under a later name,
    mapped columns missing (only in a file rejected for it). Column order is not drift: columns
    are read by name."""

    extra: tuple[str, ...] = ()
    renamed: tuple[Renamed, ...] = ()
    missing: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.extra or self.renamed or self.missing)

    def describe(self) -> str:
        """One line for people: `+extra / renamed a→b / missing c`."""
        parts = [f"+{name}" for name in self.extra]
        parts += [f"renamed {r.expected_name}→{r.found_name}" for r in self.renamed]
        parts += [f"missing {name}" for name in self.missing]
        return " / ".join(parts)


def header_drift(
    found: list[str],
    columns: dict[str, tuple[str, ...]],
    chosen: dict[str, str],
    ignored: tuple[str, ...] = (),
) -> HeaderDrift:
    """The drift of a file that loads: the columns found that no mapped column read (and the
    config does not list as ignored), and the mapped columns read through a later name."""
    read = set(chosen.values()) | set(ignored)
    extra = tuple(name for name in found if name not in read)
    renamed = tuple(
        Renamed(canonical, columns[canonical][0], name)
        for canonical, name in chosen.items()
        if name != columns[canonical][0]
    )
    return HeaderDrift(extra, renamed)
