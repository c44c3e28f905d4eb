"""The demo's synthetic community reports: written as the site's export, then loaded.

``safecity demo`` calls :func:`load_demo_community_reports` after loading the demo city and
before assessing it: the reports are drawn inside the boundaries the assessment will publish
(the same ``boundaries.geojson`` the web site places reports with), written under
``<demo>/community-reports/`` and loaded with ``safecity load community-reports``'s loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from safecity.assess.boundaries_export import area_boundaries
from safecity.assess.study_area import resolve_study_area
from safecity.data.community_reports.loader import load_community_reports
from safecity.data.load_report import FileLoadReport
from safecity.data.synthetic.community_reports import (
    DemoCommunityReports,
    write_demo_community_reports,
)
from safecity.data.warehouse import Warehouse


class DemoCommunityReportsError(RuntimeError):
    """The demo's reports cannot be drawn (no boundaries loaded for the area)."""


@dataclass(frozen=True, slots=True)
class LoadedDemoReports:
    """The written demo reports and the load report of their export."""

    reports: DemoCommunityReports
    load: FileLoadReport


def load_demo_community_reports(
    warehouse: Warehouse, *, area_code: str, seed: int, last_month: str, out_dir: Path
) -> LoadedDemoReports:
    """Draw, write and load the demo's synthetic community reports.

    Parameters
    ----------
    warehouse
        The demo warehouse, with the demo city's lookups and boundaries loaded.
    area_code
        The assessed CSP.
    seed
        The demo seed.
    last_month
        ``YYYY-MM``: the last month of the assessed year (reports cover it and the year before).
    out_dir
        The demo folder (the export goes to ``community-reports/`` in it).

    Raises
    ------
    DemoCommunityReportsError
        If the area has no boundaries loaded.
    """
    area = resolve_study_area(warehouse, code=area_code)
    boundaries = area_boundaries(warehouse, area=area)
    if boundaries is None:
        raise DemoCommunityReportsError(
            f"no boundaries are loaded for {area_code}: the demo's reports need somewhere to be"
        )
    written = write_demo_community_reports(
        boundaries=boundaries, seed=seed, last_month=last_month, out_dir=out_dir
    )
    return LoadedDemoReports(
        reports=written, load=load_community_reports(warehouse, path=written.path)
    )


__all__ = ["DemoCommunityReportsError", "LoadedDemoReports", "load_demo_community_reports"]
