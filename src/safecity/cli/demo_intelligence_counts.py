"""The demo's synthetic partner-intelligence counts: written as the site's export, then loaded.

``safecity demo`` calls :func:`load_demo_intelligence_counts` after loading the demo city and
before assessing it: counts for the wards of the assessed area are written under
``<demo>/intelligence-counts/`` and loaded with ``safecity load intelligence-counts``'s loader,
so that the partners' edition of the demo shows the partner-intelligence family.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from safecity.assess.study_area import resolve_study_area
from safecity.data.intelligence_counts.loader import load_intelligence_counts
from safecity.data.load_report import FileLoadReport
from safecity.data.synthetic.intelligence_counts import (
    DemoIntelligenceCounts,
    write_demo_intelligence_counts,
)
from safecity.data.warehouse import Warehouse


@dataclass(frozen=True, slots=True)
class LoadedDemoIntelligence:
    """The written demo counts and the load report of their export."""

    counts: DemoIntelligenceCounts
    load: FileLoadReport


def load_demo_intelligence_counts(
    warehouse: Warehouse, *, area_code: str, seed: int, last_month: str, out_dir: Path
) -> LoadedDemoIntelligence:
    """Draw, write and load the demo's synthetic partner-intelligence counts.

    Parameters
    ----------
    warehouse
        The demo warehouse, with the demo city's lookups loaded.
    area_code
        The assessed CSP.
    seed
        The demo seed.
    last_month
        ``YYYY-MM``: the last month of the assessed year (counts cover it and the year before).
    out_dir
        The demo folder (the export goes to ``intelligence-counts/`` in it).
    """
    area = resolve_study_area(warehouse, code=area_code)
    written = write_demo_intelligence_counts(
        area_code=area.code,
        ward_codes=sorted(area.lsoas["ward_code"].astype(str).unique()),
        seed=seed,
        last_month=last_month,
        out_dir=out_dir,
    )
    return LoadedDemoIntelligence(
        counts=written, load=load_intelligence_counts(warehouse, path=written.path)
    )


__all__ = ["LoadedDemoIntelligence", "load_demo_intelligence_counts"]
