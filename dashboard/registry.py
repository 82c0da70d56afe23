"""The page registry the router builds its navigation from; the first page is the default."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).parent / "app_pages"


@dataclass(frozen=True)
class PageSpec:
    """A page: its file in app_pages/, the message key of its title, its icon and URL path."""

    file: str
    title_key: str
    icon: str
    url_path: str

    @property
    def path(self) -> Path:
        """The page's script."""
        return PAGES_DIR / self.file


PAGES: list[PageSpec] = [
    PageSpec("overview.py", "nav.overview", ":material/dashboard:", "overview"),
    PageSpec("hotspots.py", "nav.hotspots", ":material/map:", "hotspots"),
    PageSpec("repeats.py", "nav.repeats", ":material/replay:", "repeats"),
    PageSpec("inspections.py", "nav.inspections", ":material/content_copy:", "inspections"),
    PageSpec("closed_loop.py", "nav.closed_loop", ":material/autorenew:", "closed-loop"),
    PageSpec("departments.py", "nav.departments", ":material/groups:", "departments"),
    PageSpec("indicators.py", "nav.indicators", ":material/checklist:", "indicators"),
    PageSpec("data_quality.py", "nav.data_quality", ":material/rule:", "data-quality"),
]
