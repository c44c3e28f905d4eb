"""Absent is not zero: a theme whose crime groups were not assessed says so, with the reason.

"No crimes of these kinds were recorded" may be said only when a group was assessed and
counted none. Each test writes a small artefact (a manifest and the tables the theme reads)
with the hate crime theme's groups in one of three states; the counts are made up.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from artefact_files import record_hashes

from safecity.report.artefact_reader import Audience, open_artefact
from safecity.report.context import ReportContext
from safecity.report.evidence import index_rows
from safecity.report.report_config import themes
from safecity.report.theme_sections import main_group, not_assessed_reasons

AREA, PERIOD = "E22900001", "2024/25"
REASON = "not assessed: needs a force record-level extract (hate crime flags)"


def _artefact(folder: Path, *, tables: dict[str, pd.DataFrame], skipped: dict[str, str]) -> Path:
    (folder / "public").mkdir(parents=True)
    entries = {}
    for name, frame in tables.items():
        frame.to_parquet(folder / "public" / f"{name}.parquet")
        entries[name] = {"parquet": f"{name}.parquet", "rows": len(frame)}
    manifest = {
        "kind": "safecity-assessment",
        "area": {"code": AREA, "name": "Demoton", "level": "csp"},
        "parameters": {"period": PERIOD, "baseline": "2023/24"},
        "skipped": skipped,
        "tables": entries,
        "public_tables": entries,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    record_hashes(folder)
    return folder


def _indicator(group_id: str, count: int) -> dict[str, object]:
    return {
        "row_id": f"{group_id}:{AREA}:{PERIOD}",
        "indicator_id": group_id,
        "indicator_name": group_id.replace("_", " ").capitalize(),
        "area_code": AREA,
        "area_level": "csp",
        "period": PERIOD,
        "numerator": float(count),
        "suppressed": False,
    }


def _main(folder: Path) -> tuple[str | None, str]:
    artefact = open_artefact(directory=folder, audience=Audience.PUBLIC)
    context = ReportContext(
        artefact=artefact,
        index=index_rows(artefact),
        area_code=AREA,
        area_name="Demoton",
        period=PERIOD,
        baseline="2023/24",
        threshold=5,
    )
    theme = next(theme for theme in themes() if theme.theme_id == "hate_crime")
    return main_group(context, theme)


def _groups(computed: bool, reason: str) -> pd.DataFrame:
    hate = next(theme for theme in themes() if theme.theme_id == "hate_crime").groups
    return pd.DataFrame(
        {
            "group_id": list(hate),
            "name": [group.replace("_", " ") for group in hate],
            "computed": computed,
            "skipped_reason": "" if computed else reason,
        }
    )


def test_groups_not_assessed_give_their_reason(tmp_path: Path) -> None:
    folder = _artefact(
        tmp_path,
        tables={
            "indicators": pd.DataFrame([_indicator("all_crime", 900)]),
            "crime_groups": _groups(False, REASON),
        },
        skipped={},
    )
    assert _main(folder) == (None, REASON)


def test_without_the_table_the_manifests_reasons_are_used(tmp_path: Path) -> None:
    """An older artefact: no public ``crime_groups``; the manifest's ``skipped`` names each
    group and why (here without the "not assessed" words, which the report adds)."""
    folder = _artefact(
        tmp_path,
        tables={"indicators": pd.DataFrame([_indicator("all_crime", 900)])},
        skipped={"hate_crime": "needs a force extract (offence codes or flags)", "boundaries": "x"},
    )
    assert _main(folder) == (None, "not assessed: needs a force extract (offence codes or flags)")
    artefact = open_artefact(directory=folder, audience=Audience.PUBLIC)
    context = ReportContext(
        artefact=artefact,
        index=index_rows(artefact),
        area_code=AREA,
        area_name="Demoton",
        period=PERIOD,
        baseline="2023/24",
        threshold=5,
    )
    assert set(not_assessed_reasons(context)) == {"hate_crime"}  # not "boundaries"


def test_no_figures_and_no_reason_is_still_not_zero(tmp_path: Path) -> None:
    folder = _artefact(
        tmp_path, tables={"indicators": pd.DataFrame([_indicator("all_crime", 900)])}, skipped={}
    )
    group, reason = _main(folder)
    assert group is None
    assert reason == "not assessed: the assessment has no figures for these crimes"


@pytest.mark.parametrize("count", [0, 3])
def test_only_an_assessed_zero_is_no_crimes_recorded(tmp_path: Path, count: int) -> None:
    folder = _artefact(
        tmp_path,
        tables={
            "indicators": pd.DataFrame([_indicator("hate_crime", count)]),
            "crime_groups": _groups(True, ""),
        },
        skipped={},
    )
    if count == 0:
        assert _main(folder) == (
            None,
            "no crimes of these kinds were recorded in Demoton in 2024/25",
        )
    else:
        assert _main(folder) == ("hate_crime", "")
