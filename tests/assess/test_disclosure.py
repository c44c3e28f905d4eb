"""Disclosure control that holds: by source, across tables, audited the way an attacker would.

methods.md §0.2a: counts made only from data.police.uk (published record by record) need no
suppression; counts from a force extract are protected across every public table that shares a
margin, and no withheld count may be narrowed to an interval shorter than the threshold, by a
linear program over the published relations. Two artefacts are attacked: a small town whose
force extract has small counts everywhere (audited also over its atoms, which gives every
linear consequence of what is published), and the demo city.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from disclosure_attack import Exposure, attack, sensitive_cells
from extract_files import crime, write_extract
from reference_files import load_reference_files
from shared_demo import shared_demo_artefact

from safecity.assess import engine
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.disclosure import choose_hidden
from safecity.assess.disclosure_audit import atom_intervals, failures
from safecity.assess.disclosure_policy import (
    DisclosurePolicy,
    DisclosurePolicyError,
    load_disclosure_policy,
)
from safecity.assess.disclosure_tables import PublishedCounts, extract_structure
from safecity.assess.extract_counts import offence_classification
from safecity.assess.periods import parse_period
from safecity.assess.study_area import resolve_study_area
from safecity.data.extract.loader import load_extract
from safecity.data.warehouse import Warehouse

THRESHOLD = 5
TOWN = "E22000001"
TOWN_LSOAS = {
    # code: (name, ward, ward name, population)
    "E01000001": ("Smallton 001A", "E05000001", "Mill", 1400),
    "E01000002": ("Smallton 001B", "E05000001", "Mill", 1500),
    "E01000003": ("Smallton 002A", "E05000002", "Green", 1300),
    "E01000004": ("Smallton 002B", "E05000002", "Green", 1600),
    "E01000005": ("Smallton 003A", "E05000003", "Quay", 1700),
    "E01000006": ("Smallton 003B", "E05000003", "Quay", 1450),
}
# Home Office codes of several groups: violence (with and without injury), sexual offences,
# robbery, burglary (residential and business), theft, damage, drugs, weapons, public order.
CODES = ("8N", "105A", "8Q", "17A", "34B", "28E", "30C", "46", "58J", "92A", "10A", "125")


def _town_crimes(seed: int = 2026) -> list[list[str]]:
    """Twelve crimes a month over two years, spread thinly: small counts everywhere."""
    rng = random.Random(seed)
    rows = []
    for month_index in range(24):
        year, month = 2023 + (3 + month_index) // 12, (3 + month_index) % 12 + 1
        for number in range(12):
            rows.append(
                crime(
                    f"S{month_index:02d}{number:02d}",
                    HOCode=rng.choice(CODES),
                    OffenceDesc="",
                    FromDT=(
                        f"{rng.randint(1, 28):02d}/{month:02d}/{year} {rng.randint(0, 23):02d}:00"
                    ),
                    RecDate=f"28/{month:02d}/{year}",
                    LSOA=rng.choice(sorted(TOWN_LSOAS)),
                    DA=rng.choice("YNNN"),
                    ALC=rng.choice("YNN"),
                )
            )
    return rows


def _capture(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Keep the disclosure model and the hidden cells the engine chose."""
    captured: dict[str, object] = {}

    def keep(published: PublishedCounts, *, threshold: int) -> object:
        result = choose_hidden(published, threshold=threshold)
        captured["published"] = published
        captured["hidden"] = result.hidden
        return result

    monkeypatch.setattr(engine, "choose_hidden", keep)
    return captured


def _public(out: Path) -> dict[str, pd.DataFrame]:
    return {path.stem: pd.read_parquet(path) for path in sorted((out / "public").glob("*.parquet"))}


def _attack(out: Path, warehouse: Warehouse, *, area_code: str) -> list[Exposure]:
    area = resolve_study_area(warehouse, code=area_code)
    classification = offence_classification(warehouse)
    codes = warehouse.connection.execute(
        "SELECT DISTINCT offence_code FROM extract_crime"
    ).fetchall()
    return attack(
        _public(out),
        area_code=area_code,
        ward_of=dict(zip(area.lsoas["lsoa_code"], area.lsoas["ward_code"], strict=True)),
        structure=extract_structure(
            classification, codes=[str(code) for (code,) in codes], groups=load_crime_groups()
        ),
        protected_sources={"extract"},
        complete_coverage=True,
        sensitive=sensitive_cells(out, threshold=THRESHOLD, protected_sources={"extract"}),
    )


@pytest.fixture(scope="module")
def town(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, Path, dict[str, object]]]:
    folder = tmp_path_factory.mktemp("smallton")
    mapping = write_extract(folder / "extract", crimes=_town_crimes(), victims=[], offenders=[])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFECITY_PSEUDONYM_KEY", "a-key-for-smallton-0123456789abcdef")
        patch.delenv("SAFECITY_PSEUDONYM_KEY_FILE", raising=False)
        captured = _capture(patch)
        with Warehouse(folder / "w.duckdb") as warehouse:
            load_reference_files(
                warehouse,
                folder,
                lsoa_lookup=[
                    [code, name, ward, ward_name, "E06000001", "Smallton"]
                    for code, (name, ward, ward_name, _) in TOWN_LSOAS.items()
                ],
                csp_lookup=[
                    ["E06000001", "Smallton", TOWN, "Smallton CSP", "E23000001", "Testshire"]
                ],
                population=[
                    (name, code, people) for code, (name, *_, people) in TOWN_LSOAS.items()
                ],
            )
            load_extract(warehouse, path=folder / "extract", mapping_path=mapping)
            engine.run_assessment(
                warehouse, area_code=TOWN, period=parse_period("2024/25"), out_dir=folder / "out"
            )
        yield folder / "out", folder / "w.duckdb", captured


def test_the_default_policy_protects_unpublished_sources_only() -> None:
    policy = load_disclosure_policy()
    assert policy == DisclosurePolicy(
        threshold=5,
        protected_sources=frozenset({"extract", "partner", "survey", "community_reports"}),
        protected_lsoa_counts=False,
    )
    assert not policy.protects("police_uk")
    assert policy.protects("extract")
    assert policy.with_threshold(10).threshold == 10


def test_a_policy_file_that_does_not_say_about_a_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("threshold: 5\nprotected_sources: {extract: true}\n", encoding="utf-8")
    with pytest.raises(DisclosurePolicyError, match="does not say whether police_uk"):
        load_disclosure_policy(path)
    path.write_text("threshold: 5\nprotected_sources: {census: true}\n", encoding="utf-8")
    with pytest.raises(DisclosurePolicyError, match=r"protected_sources\.census is not a known"):
        load_disclosure_policy(path)


def test_small_counts_of_the_extract_are_withheld_wherever_published(
    town: tuple[Path, Path, dict[str, object]],
) -> None:
    out, _, _ = town
    partner = pd.read_parquet(out / "indicators.parquet").set_index("row_id")
    public = pd.read_parquet(out / "public" / "indicators.parquet").set_index("row_id")
    not_lsoa = public["area_level"] != "lsoa"
    for column in (
        "numerator",
        "baseline_numerator",
        "change_numerator",
        "change_baseline_numerator",
    ):
        truth = partner.loc[not_lsoa, column]
        shown = public.loc[not_lsoa, column]
        small = (truth > 0) & (truth < THRESHOLD)
        assert small.sum() > 10, column  # the town has small counts everywhere
        assert shown[small].isna().all(), column
    # What would reveal a withheld count is withheld with it.
    hidden = public[public["numerator"].isna() & not_lsoa]
    assert (
        hidden[["value", "lower_ci", "upper_ci", "method", "unreliable", "rank"]].isna().all().all()
    )
    assert hidden["suppressed"].all()
    # Single LSOAs carry no extract count at all (policy), only their residents.
    lsoas = public[public["area_level"] == "lsoa"]
    assert lsoas[["numerator", "value", "baseline_numerator", "change_pct"]].isna().all().all()
    assert lsoas["denominator"].notna().all()
    # A ward's benchmark is the area's rate: blank wherever the area's count is withheld.
    area_hidden = set(
        public.loc[(public["area_level"] == "csp") & public["numerator"].isna(), "indicator_id"]
    )
    assert public.loc[public["indicator_id"].isin(area_hidden), "benchmark_value"].isna().all()


def test_an_attacker_with_every_published_relation_cannot_narrow_a_withheld_count(
    town: tuple[Path, Path, dict[str, object]],
) -> None:
    out, database, _ = town
    with Warehouse(database) as warehouse:
        exposures = _attack(out, warehouse, area_code=TOWN)
    # every count under the threshold, withheld for its size or kept off single LSOAs
    assert len(exposures) > 50
    narrow = [exposure for exposure in exposures if exposure.upper - exposure.lower < THRESHOLD]
    assert narrow == []


def test_every_linear_consequence_of_the_published_counts_leaves_them_wide(
    town: tuple[Path, Path, dict[str, object]],
) -> None:
    # The exact audit: each count a sum of atoms (LSOA x month x offence code x flags), the
    # published counts equations over them; a withheld count's interval over that polytope.
    _, _, captured = town
    published = captured["published"]
    hidden = captured["hidden"]
    assert isinstance(published, PublishedCounts)
    assert isinstance(hidden, np.ndarray)
    intervals = atom_intervals(published.model, hidden=hidden)
    assert len(intervals) > 50
    assert failures(intervals, threshold=THRESHOLD) == []


def test_the_manifest_accounts_for_the_withholding(
    town: tuple[Path, Path, dict[str, object]],
) -> None:
    out, _, captured = town
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    account = manifest["disclosure"]
    hidden = captured["hidden"]
    assert isinstance(hidden, np.ndarray)
    assert account["protected_sources_used"] == ["extract"]
    assert account["withheld_counts"] == int(hidden.sum()) > 0
    assert account["threshold"] == THRESHOLD


def test_findings_never_quote_a_withheld_row(town: tuple[Path, Path, dict[str, object]]) -> None:
    out, _, _ = town
    public = _public(out)
    suppressed = set(public["indicators"].loc[public["indicators"]["suppressed"], "row_id"])
    for row_ids in public["findings"]["row_ids"]:
        assert not set(str(row_ids).split(";")) & suppressed


def test_the_demo_citys_public_tables_hold_against_the_attacker(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    out = shared_demo_artefact(tmp_path_factory)
    with Warehouse(out.parent / "safecity.duckdb") as warehouse:
        area_code = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["area"]["code"]
        exposures = _attack(out, warehouse, area_code=area_code)
    assert len(exposures) > 100
    assert [exposure for exposure in exposures if exposure.upper - exposure.lower < THRESHOLD] == []
