"""The manifest: every written file and every planted defect, located by row and physical line.

`manifest.json` keys: `generator` (seed, end, months, scale, messy, as_of, months list, baseline
months), `files` (list of {path (relative, "/"), source, dataset, department, format, encoding,
period ("YYYY-MM" or null), rows (data rows as written, duplicates included, blank lines and
title/totals rows excluded), header_line (line or sheet row of the header, null for JSON),
ingest (false for truth/)}), `defects` (list of {file, row (1-based data row, null for file-level
kinds), line (physical line for text files, sheet row for XLSX, null when file-level), column,
kind, value (the planted value, or null)}), `defect_rates` and `defect_counts` by kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines.generator.writers import XLSX_HEADER_ROW, blank_line, data_line


@dataclass
class ManifestBuilder:
    """Collects file entries and located defects while the generator writes."""

    files: list[dict[str, Any]] = field(default_factory=list)
    defects: list[dict[str, Any]] = field(default_factory=list)

    def add_file(
        self,
        path: str,
        *,
        source: str,
        dataset: str,
        fmt: str,
        encoding: str,
        rows: int,
        period: str | None = None,
        department: str | None = None,
        ingest: bool = True,
    ) -> None:
        """Record one written file."""
        header = {"csv": 1, "xlsx": XLSX_HEADER_ROW}.get(fmt)
        self.files.append(
            {
                "path": path,
                "source": source,
                "dataset": dataset,
                "department": department,
                "format": fmt,
                "encoding": encoding,
                "period": period,
                "rows": rows,
                "header_line": header,
                "ingest": ingest,
            }
        )

    def add_defects(
        self, path: str, fmt: str, defects: list[dict[str, object]], blank_before: list[int]
    ) -> None:
        """Locate row-level defects and blank lines of one file."""
        for d in defects:
            row = int(str(d["row"]))
            self.defects.append(
                {
                    "file": path,
                    "row": row,
                    "line": data_line(fmt, row, blank_before),
                    "column": d["column"],
                    "kind": d["kind"],
                    "value": d["value"],
                }
            )
        for b in blank_before:
            self.defects.append(
                {
                    "file": path,
                    "row": None,
                    "line": blank_line(fmt, b, blank_before),
                    "column": None,
                    "kind": "blank_line",
                    "value": None,
                }
            )

    def add_file_defect(self, path: str, kind: str, column: str | None, line: int | None) -> None:
        """A file-level defect (schema drift, corrupt file)."""
        self.defects.append(
            {"file": path, "row": None, "line": line, "column": column, "kind": kind, "value": None}
        )

    def sorted_defects(self) -> list[dict[str, Any]]:
        """Defects in file, line order."""
        return sorted(
            self.defects, key=lambda d: (d["file"], d["line"] or 0, d["row"] or 0, d["kind"])
        )
