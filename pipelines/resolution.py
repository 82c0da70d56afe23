"""Community resolution: names to `community_id` via the alias table, then fuzzy matching."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import polars as pl
from rapidfuzz import fuzz, process

SUFFIXES = ("社区居民委员会", "社区居委会", "居民委员会", "居委会", "社区")


def name_key(name: str) -> str:
    """A name reduced for matching: NFKC, no spaces, case-folded, no 社区/居委会 suffix."""
    key = "".join(unicodedata.normalize("NFKC", name).split()).casefold()
    for suffix in SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


@dataclass
class CommunityIndex:
    """Every known name variant of every community, by its matching key."""

    ids_by_key: dict[str, str]
    # names already resolved, by threshold: monthly files repeat the same names
    resolved: dict[tuple[str, float], str | None] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, communities: pl.DataFrame) -> CommunityIndex:
        """The index from reference rows (community_id, community_name, short_name, aliases)."""
        candidates: dict[str, set[str]] = {}
        for row in communities.iter_rows(named=True):
            names = [row.get("community_name"), row.get("short_name")]
            names += str(row.get("aliases") or "").split("|")
            for name in names:
                if name and str(name).strip():
                    candidates.setdefault(name_key(str(name)), set()).add(str(row["community_id"]))
        # a key shared by two communities is ambiguous: it resolves to neither
        return cls({key: next(iter(ids)) for key, ids in candidates.items() if len(ids) == 1})

    def __len__(self) -> int:
        return len(self.ids_by_key)

    def resolve(self, name: str, threshold: float) -> str | None:
        """The community a name refers to, or None when no alias fits and no single fuzzy match
        reaches the threshold (never a guess between two)."""
        if (name, threshold) not in self.resolved:
            self.resolved[name, threshold] = self._resolve(name, threshold)
        return self.resolved[name, threshold]

    def _resolve(self, name: str, threshold: float) -> str | None:
        key = name_key(name)
        found = self.ids_by_key.get(key)
        if found is not None:
            return found
        matches = process.extract(
            key, list(self.ids_by_key), scorer=fuzz.ratio, score_cutoff=threshold, limit=5
        )
        if not matches:
            return None
        best = matches[0][1]
        ids = {self.ids_by_key[m[0]] for m in matches if m[1] == best}
        return next(iter(ids)) if len(ids) == 1 else None


def resolve_communities(
    frame: pl.DataFrame, index: CommunityIndex, threshold: float
) -> pl.DataFrame:
    """The frame with `community_id` filled from `community` (null where unresolved)."""
    names = frame.get_column("community").drop_nulls().unique().to_list()
    resolved = {name: index.resolve(name, threshold) for name in names}
    ids = pl.col("community").replace_strict(
        list(resolved), list(resolved.values()), default=None, return_dtype=pl.String
    )
    return frame.with_columns(ids.alias("community_id"))
