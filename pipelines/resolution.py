"""Community resolution: names to `community_id` via the alias table, then fuzzy matching."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

SUFFIXES = ("社区居民委员会", "社区居委会", "居民委员会", "居委会", "社区")
CANDIDATES = 5  # the best fuzzy matches looked at for a tie between communities
SCORED_AT_ONCE = 256  # names scored against every key in one call (256 x 16,000 keys: 33 MB)


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
            key, list(self.ids_by_key), scorer=fuzz.ratio, score_cutoff=threshold, limit=CANDIDATES
        )
        if not matches:
            return None
        best = matches[0][1]
        ids = {self.ids_by_key[m[0]] for m in matches if m[1] == best}
        return next(iter(ids)) if len(ids) == 1 else None

    def resolve_all(self, names: list[str], threshold: float) -> list[str | None]:
        """`resolve` of every name, the names no alias fits scored against the keys together.

        A month of the 10m hotline brings ~1,000 names not seen before (typos); one
        `process.cdist` call per few hundred of them gives the same scores as one
        `process.extract` call each, in a fraction of the time. The matches looked at are
        extract's: every key reaching the threshold, best first, ties in key order, at most
        CANDIDATES of them.
        """
        fuzzy: dict[str, list[str]] = {}  # key: the new names that reduce to it
        for name in names:
            if (name, threshold) in self.resolved:
                continue
            key = name_key(name)
            found = self.ids_by_key.get(key)
            if found is not None:
                self.resolved[name, threshold] = found
            else:
                fuzzy.setdefault(key, []).append(name)
        keys, choices = list(fuzzy), list(self.ids_by_key)
        for start in range(0, len(keys), SCORED_AT_ONCE):
            part = keys[start : start + SCORED_AT_ONCE]
            scores = process.cdist(
                part, choices, scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.float64
            )
            for key, row in zip(part, scores, strict=True):
                resolved = self._best(row, choices, threshold)
                for name in fuzzy[key]:
                    self.resolved[name, threshold] = resolved
        return [self.resolved[name, threshold] for name in names]

    def _best(self, scores: np.ndarray, choices: list[str], threshold: float) -> str | None:
        """The community of the best-scoring keys, as `_resolve` picks it from extract's list."""
        reaching = np.flatnonzero(scores >= threshold)
        if reaching.size == 0:
            return None
        order = reaching[np.argsort(-scores[reaching], kind="stable")][:CANDIDATES]
        best = scores[order[0]]
        ids = {self.ids_by_key[choices[i]] for i in order if scores[i] == best}
        return next(iter(ids)) if len(ids) == 1 else None


def resolve_communities(
    frame: pl.DataFrame, index: CommunityIndex, threshold: float
) -> pl.DataFrame:
    """The frame with `community_id` filled from `community` (null where unresolved).

    Each distinct name is resolved once and joined back: a month of the 10m hotline names
    ~25,000 distinct communities (typos included), and a join maps them onto its rows ten times
    faster than `replace_strict` with that many keys (0.03 s against 0.27 s).
    """
    names = frame.get_column("community").cast(pl.String).drop_nulls().unique()
    mapping = pl.DataFrame(
        {
            "community": names,
            "community_id": pl.Series(
                index.resolve_all(names.to_list(), threshold), dtype=pl.String
            ),
        }
    )
    names_in_order = frame.select(pl.col("community").cast(pl.String))
    ids = names_in_order.join(mapping, on="community", how="left", maintain_order="left")
    return frame.with_columns(ids.get_column("community_id"))
