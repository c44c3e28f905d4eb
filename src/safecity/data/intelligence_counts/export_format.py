"""The de-identified ``intelligence-counts`` CSV the web site exports for the warehouse.

One row per combination of area, month, topic and ward, with the number of partner
intelligence submissions; columns exactly :data:`EXPORT_COLUMNS` (``docs/intelligence.md``).
The web site writes it (``python -m safecity_web export_intelligence_counts``), the synthetic demo
writes it (:func:`write_export`), and ``safecity load intelligence-counts`` reads it. No content of
a submission, no person, vehicle, premises or point is ever in it: counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from safecity.data.site_export_rows import export_csv_text

EXPORT_COLUMNS = ("area_code", "month", "topic", "ward_code", "submissions")
"""The export's header, in order."""


@dataclass(frozen=True, slots=True)
class CountRow:
    """One row of the export: the submissions of one topic in one month and ward of an area.

    ``ward_code`` is ``""`` for submissions placed in no ward (an empty ``area_code`` is a
    submission placed outside the partnership's area, which the loader quarantines).
    """

    area_code: str
    month: str
    topic: str
    ward_code: str
    submissions: int

    def key(self) -> tuple[str, str, str, str]:
        """The combination the row counts (unique within a file)."""
        return (self.area_code, self.month, self.topic, self.ward_code)

    def as_fields(self) -> list[str]:
        """The row as the CSV's fields."""
        return [*self.key(), str(self.submissions)]


def export_text(rows: Sequence[CountRow]) -> str:
    """The CSV text of ``rows`` (header first, rows sorted by their key), ``\\n`` line ends.

    >>> print(export_text([CountRow("E22900099", "2024-01", "hate", "", 2)]), end="")
    area_code,month,topic,ward_code,submissions
    E22900099,2024-01,hate,,2
    """
    return export_csv_text(EXPORT_COLUMNS, rows)


def write_export(*, rows: Sequence[CountRow], path: Path) -> Path:
    """Write ``rows`` as the export CSV (UTF-8) at ``path``; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(export_text(rows), encoding="utf-8")
    return path


__all__ = ["EXPORT_COLUMNS", "CountRow", "export_text", "write_export"]
