"""The page registry the router builds its navigation from; the first page a role may open is
its default. Each page names the roles that may open it (see docs/access.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warehouse.access import ADMIN, AGGREGATE_ROLES, Viewer

PAGES_DIR = Path(__file__).parent / "app_pages"
ADMIN_ROLES = frozenset({ADMIN})


@dataclass(frozen=True)
class PageSpec:
    """A page: its file in app_pages/, the message key of its title, its icon, URL path and the
    roles that may open it (the aggregate roles unless said otherwise)."""

    file: str
    title_key: str
    icon: str
    url_path: str
    roles: frozenset[str] = AGGREGATE_ROLES

    @property
    def path(self) -> Path:
        """The page's script."""
        return PAGES_DIR / self.file

    def allows(self, viewer: Viewer) -> bool:
        """Whether the viewer may open this page (unknown viewers open none)."""
        return viewer.is_known and viewer.role in self.roles


PAGES: list[PageSpec] = [
    PageSpec("overview.py", "nav.overview", ":material/dashboard:", "overview"),
    PageSpec("hotspots.py", "nav.hotspots", ":material/map:", "hotspots"),
    PageSpec("repeats.py", "nav.repeats", ":material/replay:", "repeats"),
    PageSpec("inspections.py", "nav.inspections", ":material/content_copy:", "inspections"),
    PageSpec("closed_loop.py", "nav.closed_loop", ":material/autorenew:", "closed-loop"),
    PageSpec("departments.py", "nav.departments", ":material/groups:", "departments"),
    PageSpec("indicators.py", "nav.indicators", ":material/checklist:", "indicators"),
    PageSpec("data_quality.py", "nav.data_quality", ":material/rule:", "data-quality"),
    PageSpec("audit.py", "nav.audit", ":material/policy:", "audit", ADMIN_ROLES),
]


def pages_for(viewer: Viewer) -> list[PageSpec]:
    """The pages a viewer may open, in navigation order."""
    return [page for page in PAGES if page.allows(viewer)]
