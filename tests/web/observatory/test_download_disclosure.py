"""Every public download of the site, attacked: no count under 5 can be worked back.

The attacker (tests/support/disclosure_attack.py) takes what anyone can download from the
observatory, every indicator's CSV and monthly CSV, and bounds each withheld count by a linear
program over the relations between them (methods.md §0.2a). The true counts come from the
demo artefact's partner tables, which the site never serves.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from disclosure_attack import attack, sensitive_cells

from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.disclosure_tables import extract_structure
from safecity.assess.extract_counts import offence_classification
from safecity.assess.study_area import resolve_study_area
from safecity.data.warehouse import Warehouse
from safecity_web.observatory.models import PublishedAssessment

THRESHOLD = 5


def _download(client: Any, path: str) -> pd.DataFrame:
    response = client.get(path)
    assert response.status_code == 200, path
    text = response.content.decode()
    # a withheld figure reads "suppressed": to an attacker, an unknown
    return pd.read_csv(io.StringIO(text), na_values=["suppressed"], keep_default_na=True)


@pytest.mark.django_db
def test_the_sites_downloads_hold_against_the_attacker(
    client: Any, published_demo: PublishedAssessment, demo_artefact: Path
) -> None:
    manifest = json.loads((demo_artefact / "manifest.json").read_text(encoding="utf-8"))
    area_code = manifest["area"]["code"]
    ids = sorted(
        pd.read_parquet(demo_artefact / "public" / "indicators.parquet")["indicator_id"].unique()
    )
    indicators = pd.concat(
        [_download(client, f"/indicators/{indicator_id}/data.csv") for indicator_id in ids],
        ignore_index=True,
    )
    monthly = pd.concat(
        [_download(client, f"/indicators/{indicator_id}/monthly.csv") for indicator_id in ids],
        ignore_index=True,
    )
    monthly["has_data"] = monthly["has_data"].astype(str).str.lower() == "true"
    assert len(indicators) == len(ids) * (1 + 16 + 150)
    with Warehouse(demo_artefact.parent / "safecity.duckdb") as warehouse:
        area = resolve_study_area(warehouse, code=area_code)
        codes = warehouse.connection.execute(
            "SELECT DISTINCT offence_code FROM extract_crime"
        ).fetchall()
        structure = extract_structure(
            offence_classification(warehouse),
            codes=[str(code) for (code,) in codes],
            groups=load_crime_groups(),
        )
    sensitive = sensitive_cells(demo_artefact, threshold=THRESHOLD, protected_sources={"extract"})
    exposures = attack(
        {"indicators": indicators, "monthly_series": monthly},
        area_code=area_code,
        ward_of=dict(zip(area.lsoas["lsoa_code"], area.lsoas["ward_code"], strict=True)),
        structure=structure,
        protected_sources={"extract"},
        complete_coverage=True,
        sensitive=sensitive,
    )
    # every count under the threshold the downloads hold a cell for is bounded, and none narrowly
    downloaded = {key for key in sensitive if key[0] in ("indicators", "monthly_series")}
    assert {(e.table, e.row, e.column) for e in exposures} == downloaded
    assert [e for e in exposures if e.upper - e.lower < THRESHOLD] == []
