"""Family 3 (harm): hand-computed harm tables, the index choice, and the demo city.

Expected values are computed here from their definitions (methods.md §4.1): harm = Σ w·n,
the severity score per head (not per 1,000), harm share against volume share, and the
volume-weighted mean weight of a police.uk category.
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from demo_city import DEMO_AREA, copied_warehouse, demo_city
from family_inputs import family_inputs

from safecity.assess.context import AssessmentInputs, AssessmentOptions
from safecity.assess.crime_groups import load_crime_groups
from safecity.assess.families.harm import (
    APPROXIMATION_CAVEAT,
    HarmIndexError,
    HarmScope,
    IndexSource,
    OffenceMix,
    category_harm,
    category_weights,
    choose_harm_index,
    harm,
    harm_by_group,
    harm_by_offence,
    harm_rank_by_index,
)
from safecity.assess.families.priorities import load_priority_scoring, priority_tables
from safecity.assess.periods import parse_period
from safecity.assess.study_area import resolve_study_area
from safecity.data.synthetic import DemoDataset
from safecity.data.warehouse import Warehouse
from safecity.stats import IntervalMethod, quintile_score

CLASSIFICATION = pd.DataFrame(
    {
        "offence_code": ["19C", "105A", "28E", "53A"],
        "offence_group": [
            "Sexual offences",
            "Violence against the person",
            "Theft offences",
            "Fraud offences",
        ],
        "offence_subgroup": ["Rape offences", "Violence without injury", "Domestic burglary", ""],
    }
)
CATEGORIES = pd.DataFrame(
    {
        "offence_code": ["19C", "105A", "28E"],
        "offence_description": ["Rape", "Assault without injury", "Burglary residential"],
        "police_uk_category": [
            "Violence and sexual offences",
            "Violence and sexual offences",
            "Burglary",
        ],
    }
)
WEIGHTS = pd.DataFrame(
    {
        "offence_code": ["19C", "105A", "53A"],
        "weight_description": ["Rape", "Assault without injury", "Fraud"],
        "weight": [2000.0, 30.0, 5.0],
    }
)


def test_choose_harm_index_by_name_or_version_and_refuses_ambiguity() -> None:
    indices = pd.DataFrame(
        {
            "index_name": ["CCHI", "ONS CSS", "ONS CSS"],
            "index_version": ["2016", "2019", "2023"],
            "offence_codes": [10, 10, 10],
        }
    )
    assert choose_harm_index(indices, requested="CCHI") == ("CCHI", "2016")
    assert choose_harm_index(indices, requested="ONS CSS@2023") == ("ONS CSS", "2023")
    with pytest.raises(HarmIndexError, match="2 loaded versions: give one of ONS CSS@2019"):
        choose_harm_index(indices, requested="ONS CSS")
    with pytest.raises(HarmIndexError, match="'Home Office' is not loaded; available: CCHI@2016"):
        choose_harm_index(indices, requested="Home Office")
    with pytest.raises(HarmIndexError, match="3 harm indices are loaded"):
        choose_harm_index(indices, requested=None)
    assert choose_harm_index(indices.iloc[:1], requested=None) == ("CCHI", "2016")
    with pytest.raises(HarmIndexError, match="no harm-weights table is loaded"):
        choose_harm_index(indices.iloc[:0], requested=None)


@pytest.fixture(scope="module")
def offence_table() -> tuple[pd.DataFrame, dict[str, int]]:
    counts = pd.DataFrame(
        {
            "offence_code": ["19C", "105A", "28E", "53A"],
            "crimes": [10, 90, 7, 4],
            "domestic_crimes": [4, 36, 0, 0],
        }
    )
    return harm_by_offence(
        counts,
        weights=WEIGHTS,
        classification=CLASSIFICATION,
        categories=CATEGORIES,
        population=1000.0,
    )


def test_harm_share_against_volume_share(
    offence_table: tuple[pd.DataFrame, dict[str, int]],
) -> None:
    table, excluded = offence_table
    # 28E has no weight in the index, 53A is fraud: both excluded and counted.
    assert excluded == {"fraud": 4, "no_weight": 7}
    everything = table[table["scope"] == HarmScope.ALL.value].set_index("offence_code")
    assert sorted(everything.index) == ["105A", "19C"]
    total_harm = 10 * 2000.0 + 90 * 30.0  # 22,700
    rape = everything.loc["19C"]
    assert rape["harm"] == 20000.0
    assert rape["harm_share_pct"] == pytest.approx(100 * 20000 / total_harm)  # 88.1%
    assert rape["volume_share_pct"] == pytest.approx(10.0)
    assert rape["harm_to_volume"] == pytest.approx((20000 / total_harm) / 0.1)
    # Severity per head of a population of 1,000: 20,000 / 1,000 = 20, never × 1,000.
    assert rape["severity_score"] == pytest.approx(20.0)
    assert rape["row_id"] == "harm_offence:all:19C"
    domestic = table[table["scope"] == HarmScope.DOMESTIC.value].set_index("offence_code")
    assert domestic.loc["19C", "harm_share_pct"] == pytest.approx(
        100 * 4 * 2000 / (4 * 2000 + 36 * 30)
    )
    assert domestic.loc["19C", "volume_share_pct"] == pytest.approx(10.0)


def test_harm_by_group_sums_offences(offence_table: tuple[pd.DataFrame, dict[str, int]]) -> None:
    table, _ = offence_table
    groups = harm_by_group(table, population=1000.0)
    everything = groups[groups["scope"] == HarmScope.ALL.value].set_index("group")
    assert everything["harm_share_pct"].sum() == pytest.approx(100.0)
    assert everything.loc["Violence against the person", "harm"] == 2700.0
    assert everything.loc["Violence against the person", "severity_score"] == pytest.approx(2.7)
    assert everything.loc["Sexual offences", "mean_weight"] == 2000.0
    assert everything["severity_score"].sum() == pytest.approx(22.7)


def test_category_approximation_uses_volume_weighted_means() -> None:
    # methods.md §4.1: a category holding homicide (7,978.79) once and common assault (15)
    # 999 times has mean weight (7978.79 + 999 × 15) / 1000 = 22.96379, not their plain mean.
    weights = pd.DataFrame({"offence_code": ["1", "105A"], "weight": [7978.79, 15.0]})
    mix = OffenceMix(
        counts=pd.DataFrame(
            {
                "offence_code": ["1", "105A", "44"],
                "offence_description": ["Homicide", "Assault without injury", "Bicycle theft"],
                "police_uk_category": ["Violence and sexual offences"] * 2 + ["Bicycle theft"],
                "offences": [1, 999, 50],
            }
        ),
        source=IndexSource.LOADED,
        table_version="test",
        financial_year="2023/24",
        description="test mix",
    )
    means = category_weights(mix, weights=weights)
    area = pd.DataFrame(
        {"crime_type": ["Violence and sexual offences", "Bicycle theft"], "crimes": [100, 20]}
    )
    table = category_harm(area, means=means, population=500.0).set_index("group")
    mean = (7978.79 + 999 * 15.0) / 1000
    violence = table.loc["Violence and sexual offences"]
    assert violence["mean_weight"] == pytest.approx(mean)
    assert violence["harm"] == pytest.approx(100 * mean)
    assert violence["harm_variance"] == pytest.approx(100 * mean**2)
    assert violence["severity_score"] == pytest.approx(100 * mean / 500)
    assert violence["harm_per_1000"] == pytest.approx(1000 * 100 * mean / 500)
    assert violence["harm_share_pct"] == pytest.approx(100.0)
    assert violence["caveat"] == APPROXIMATION_CAVEAT
    # No offence code of bicycle theft is weighed: no weight is invented for it, and it counts.
    bicycles = table[table.index == "Bicycle theft"].iloc[0]
    assert math.isnan(float(bicycles["mean_weight"]))
    assert str(bicycles["scope"]).startswith("not weighted")
    assert (
        means.set_index("police_uk_category").loc["Bicycle theft", "offences_without_weight"] == 50
    )


def test_ranking_by_index_shows_sensitivity() -> None:
    counts = pd.DataFrame({"offence_code": ["19C", "105A"], "crimes": [10, 900]})
    ranking = harm_rank_by_index(
        counts,
        weights_by_index={
            "A@1": pd.DataFrame({"offence_code": ["19C", "105A"], "weight": [2000.0, 30.0]}),
            "B@1": pd.DataFrame({"offence_code": ["19C", "105A"], "weight": [1000.0, 20.0]}),
        },
        classification=CLASSIFICATION,
    )
    ranks = {(row["index"], row["group"]): row["rank"] for row in ranking.to_dict("records")}
    # A: 20,000 against 27,000 — violence first; B: 10,000 against 18,000 — violence first.
    assert ranks[("A@1", "Violence against the person")] == 1
    assert ranks[("B@1", "Sexual offences")] == 2
    share = ranking.set_index(["index", "group"]).loc[("B@1", "Sexual offences"), "harm_share_pct"]
    assert share == pytest.approx(100 * 10000 / 28000)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoDataset, Path, Path]:
    city = demo_city(
        tmp_path_factory.mktemp("demo_harm"),
        key="test-key-for-the-harm-family",
        families={"harm": harm},
    )
    return city.dataset, city.out, city.warehouse_path


def test_demo_severity_score_recomputed_from_the_warehouse(
    demo: tuple[DemoDataset, Path, Path],
) -> None:
    _, out, database = demo
    total = pd.read_parquet(out / "harm_total.parquet").iloc[0]
    connection = duckdb.connect(str(database), read_only=True)
    harm_sum, crimes = connection.execute(
        "SELECT sum(w.weight), count(*) FROM extract_crime c"
        " JOIN harm_weight w USING (offence_code)"
        " JOIN area_lookup a ON a.lsoa_code = c.lsoa_code"
        " JOIN csp_lookup p ON p.lad_code = a.lad_code"
        " WHERE p.csp_code = ? AND c.committed_from >= DATE '2024-04-01'"
        " AND c.committed_from < DATE '2025-04-01'",
        [DEMO_AREA],
    ).fetchall()[0]
    connection.close()
    indicators = pd.read_parquet(out / "indicators.parquet")
    residents = indicators[
        (indicators["indicator_id"] == "all_crime") & (indicators["area_code"] == DEMO_AREA)
    ].iloc[0]["denominator"]
    assert total["crimes"] == crimes
    assert total["harm"] == pytest.approx(harm_sum)
    assert total["population"] == residents
    assert total["severity_score"] == pytest.approx(harm_sum / residents)  # per head
    assert total["lower_ci"] < total["severity_score"] < total["upper_ci"]
    assert total["crimes_excluded_no_weight"] == 0
    assert total["method"].startswith("offence codes")
    # With police.uk beside the extract, the category approximation is checked against it.
    check = pd.read_parquet(out / "harm_approximation_check.parquet").set_index(
        "police_uk_category"
    )
    whole = check.loc["All categories"]
    assert whole["extract_harm"] == pytest.approx(harm_sum)
    assert whole["error_pct"] == pytest.approx(
        100 * (whole["approximate_harm"] - harm_sum) / harm_sum
    )
    categories = check.drop(index="All categories")
    assert categories["approximate_harm"].to_numpy() == pytest.approx(
        (categories["approximate_mean_weight"] * categories["police_uk_crimes"]).to_numpy()
    )


def test_demo_findings_quote_the_table(demo: tuple[DemoDataset, Path, Path]) -> None:
    _, out, _ = demo
    offences = pd.read_parquet(out / "harm_by_offence.parquet")
    groups = pd.read_parquet(out / "harm_by_group.parquet")
    for scope in HarmScope:
        shares = groups[groups["scope"] == scope.value]["harm_share_pct"].sum()
        assert shares == pytest.approx(100.0)
    findings = pd.read_csv(out / "findings.csv")
    domestic = findings[findings["finding_id"] == "harm_share_domestic"].iloc[0]
    row = offences[offences["row_id"] == domestic["row_ids"]].iloc[0]
    assert row["scope"] == HarmScope.DOMESTIC.value
    # Most harmful offence of domestic crime whose harm share exceeds its volume share.
    candidates = offences[
        (offences["scope"] == HarmScope.DOMESTIC.value)
        & (offences["harm_share_pct"] > offences["volume_share_pct"])
    ]
    assert row["harm"] == candidates["harm"].max()
    assert (
        f"{row['offence_description']} accounted for {row['harm_share_pct']:.1f}% of the harm"
        in domestic["sentence"]
    )
    assert f"yet only {row['volume_share_pct']:.1f}% of the number" in domestic["sentence"]
    public = pd.read_csv(out / "public" / "harm_by_offence.csv")
    shown = public[public["crimes"].notna()]
    assert not ((shown["crimes"] > 0) & (shown["crimes"] < 5)).any()
    assert public["suppressed"].any()  # the demo has offences with under 5 crimes


# The family on its own, on copies of the demo warehouse changed to make each situation.


@pytest.fixture
def copy(demo: tuple[DemoDataset, Path, Path], tmp_path: Path) -> Iterator[Warehouse]:
    _, _, database = demo
    with copied_warehouse(database, tmp_path) as warehouse:
        yield warehouse


def _inputs(warehouse: Warehouse, *, harm_index: str | None = None) -> AssessmentInputs:
    return family_inputs(
        warehouse,
        area=resolve_study_area(warehouse, code=DEMO_AREA),
        period=parse_period("2024/25"),
        groups=load_crime_groups(),
        sources={},
        options=AssessmentOptions(harm_index=harm_index),
    )


def _shipped(name: str) -> pd.DataFrame:
    """A CSV shipped in safecity.config/harm/, read with its header comments skipped."""
    path = resources.files("safecity.config").joinpath(f"harm/{name}")
    return pd.read_csv(io.StringIO(path.read_text(encoding="utf-8")), comment="#", dtype=str)


def test_no_weights_loaded_uses_the_shipped_ons_weights(copy: Warehouse) -> None:
    copy.connection.execute("DELETE FROM harm_weight")
    output = harm(_inputs(copy))
    total = output.tables["harm_total"].iloc[0]
    assert (total["index_name"], total["index_version"]) == ("ONS Crime Severity Score", "2020-12")
    assert total["index_source"] == IndexSource.SHIPPED.value
    assert "ONS" in output.manifest["index_source"]
    assert "Open Government Licence v3.0" in output.manifest["index_source"]
    weights = _shipped("ons_css_weights.csv").astype({"weight": float})
    copy.connection.register("ons", weights)
    inputs = _inputs(copy)
    copy.connection.register("area_lsoas", inputs.area.lsoas[["lsoa_code"]])
    harm_sum, variance, crimes = copy.connection.execute(
        "SELECT sum(o.weight), sum(o.weight * o.weight), count(*) FROM extract_crime c"
        " JOIN ons o USING (offence_code)"
        " WHERE c.lsoa_code IN (SELECT lsoa_code FROM area_lsoas)"
        " AND c.committed_from >= DATE '2024-04-01' AND c.committed_from < DATE '2025-04-01'"
    ).fetchall()[0]
    assert total["crimes"] == crimes
    assert total["crimes_excluded_no_weight"] == 0  # every demo offence code has an ONS weight
    assert total["harm"] == pytest.approx(harm_sum)
    assert total["harm_variance"] == pytest.approx(variance)
    z = 1.959963984540054
    assert total["harm_per_1000"] == pytest.approx(1000 * harm_sum / total["population"])
    assert total["harm_per_1000_upper"] == pytest.approx(
        1000 * (harm_sum + z * math.sqrt(variance)) / total["population"]
    )
    assert total["severity_score"] == pytest.approx(harm_sum / total["population"])
    assert total["harm_interval_method"] == IntervalMethod.WEIGHTED_POISSON.value


def test_loaded_offence_counts_replace_the_shipped_mix(copy: Warehouse) -> None:
    # A loaded table for 2023/24 (two forces and Action Fraud) replaces the shipped 2017/18
    # mix; Action Fraud is not a territorial force and is left out.
    copy.connection.execute(
        "INSERT INTO offence_count VALUES"
        " ('prc-test', 'Hampshire', NULL, '2023/24', '10A', NULL, NULL, 1, 0),"
        " ('prc-test', 'Kent', NULL, '2023/24', '10C', NULL, NULL, 3, 0),"
        " ('prc-test', 'Action Fraud', NULL, '2023/24', '10D', NULL, NULL, 1000, 0),"
        " ('prc-old', 'Kent', NULL, '2017/18', '10D', NULL, NULL, 1000, 0)"
    )
    copy.connection.execute("DELETE FROM harm_weight")
    output = harm(_inputs(copy))
    means = output.tables["harm_category_weights"].set_index("police_uk_category")
    weapons = means.loc["Possession of weapons"]
    # ONS weights: 10A 616.5600892592785, 10C 52.12609711004277 (shipped weights file).
    assert weapons["mean_weight"] == pytest.approx((616.5600892592785 + 3 * 52.12609711004277) / 4)
    assert weapons["national_offences"] == 4
    assert output.manifest["offence_mix"]["financial_year"] == "2023/24"
    assert output.manifest["offence_mix"]["source"] == IndexSource.LOADED.value


def test_several_indices_need_a_choice_and_are_compared(copy: Warehouse) -> None:
    # A second index that weighs rape at a hundredth of the demo index.
    copy.connection.execute(
        "INSERT INTO harm_weight SELECT 'Second index', 'v2', offence_code, offence_description,"
        " CASE WHEN offence_code IN ('19C', '19F') THEN weight / 100 ELSE weight END, file_id"
        " FROM harm_weight"
    )
    with pytest.raises(HarmIndexError, match=r"2 harm indices are loaded .*Second index@v2"):
        harm(_inputs(copy))
    output = harm(_inputs(copy, harm_index="Second index"))
    total = output.tables["harm_total"].iloc[0]
    assert (total["index_name"], total["index_version"]) == ("Second index", "v2")
    ranking = output.tables["harm_rank_by_index"].set_index(["index", "group"])["rank"]
    assert ranking[("Synthetic demo severity index@demo-1", "Sexual offences")] == 2
    assert ranking[("Second index@v2", "Sexual offences")] > 2


def test_police_uk_only_uses_national_mix_category_weights(copy: Warehouse) -> None:
    # No extract crime is located in the area: harm comes from police.uk categories, each
    # weighted by the shipped national offence mix (2017/18) over the loaded index's weights.
    copy.connection.execute("UPDATE extract_crime SET lsoa_code = NULL")
    inputs = _inputs(copy)
    output = harm(inputs)
    total = output.tables["harm_total"].iloc[0]
    assert total["method"].startswith("police.uk categories")
    assert "national-offence-mix weighted" in total["caveat"]
    assert "2017/18" in total["caveat"]
    assert "2017/18" in total["offence_mix"]
    connection = copy.connection
    connection.register("mix", _shipped("national_offence_mix.csv").astype({"offences": int}))
    connection.register("area_lsoas", inputs.area.lsoas[["lsoa_code"]])
    means = connection.execute(
        "SELECT m.police_uk_category, sum(w.weight * m.offences) / sum(m.offences) FROM mix m"
        " JOIN harm_weight w USING (offence_code) WHERE m.offences > 0"
        " GROUP BY m.police_uk_category"
    ).fetchall()
    crimes = connection.execute(
        # One crime per Crime ID per force-month (methods.md §11.6), others row by row.
        "WITH rows AS (SELECT * FROM police_uk_street WHERE NOT is_asb"
        " AND month BETWEEN DATE '2024-04-01' AND DATE '2025-03-01'"
        " AND lsoa_code IN (SELECT lsoa_code FROM area_lsoas)),"
        " crimes AS (SELECT max(crime_type) AS crime_type FROM rows WHERE crime_id IS NOT NULL"
        " GROUP BY force, month, crime_id"
        " UNION ALL SELECT crime_type FROM rows WHERE crime_id IS NULL)"
        " SELECT crime_type, count(*) FROM crimes GROUP BY crime_type"
    ).fetchall()
    mean_weight = dict(means)
    weighed = [(category, count) for category, count in crimes if category in mean_weight]
    expected_harm = sum(count * mean_weight[category] for category, count in weighed)
    by_group = output.tables["harm_by_group"].set_index("group")
    for category, count in weighed:
        assert by_group.loc[category, "crimes"] == count
        assert by_group.loc[category, "mean_weight"] == pytest.approx(mean_weight[category])
    assert total["crimes"] == sum(count for _, count in weighed)
    assert total["harm"] == pytest.approx(expected_harm)
    assert total["severity_score"] == pytest.approx(expected_harm / total["population"])
    # police.uk crime groups carry harm and harm share against volume share.
    groups = output.tables["harm_by_crime_group"].set_index("group_id")
    burglary = groups.loc["burglary"]
    assert burglary["source"] == "police_uk"
    assert burglary["harm"] == pytest.approx(dict(weighed)["Burglary"] * mean_weight["Burglary"])
    assert burglary["harm_share_pct"] == pytest.approx(100 * burglary["harm"] / expected_harm)
    (finding,) = output.findings
    row = output.tables["harm_by_group"].set_index("row_id").loc[finding.row_ids[0]]
    assert finding.sentence.startswith(
        f"{row['group']} accounted for an estimated {row['harm_share_pct']:.1f}% of the harm"
    )
    assert "estimated from police.uk categories" in finding.sentence


def test_police_uk_groups_get_a_harm_score_in_the_priorities(copy: Warehouse) -> None:
    # police.uk only: each police.uk group's harm criterion is family 3's harm of that group
    # (its categories' national-mix weights), scored by quintile among the groups with harm.
    copy.connection.execute("UPDATE extract_crime SET lsoa_code = NULL")
    groups = [group for group in load_crime_groups() if group.police_uk_categories]
    output = harm(_inputs(copy))
    table = output.tables["harm_by_crime_group"].set_index("group_id")
    rows = [
        {
            "row_id": f"{group.id}:{DEMO_AREA}:2024/25",
            "indicator_id": group.id,
            "indicator_name": group.name,
            "area_code": DEMO_AREA,
            "numerator": int(table.loc[group.id, "crimes"]),
            "change_significant": None,
            "change_ratio": float("nan"),
            "change_pct": float("nan"),
            "change_p_value": float("nan"),
            "baseline_period": "2023/24",
        }
        for group in groups
        if group.id in table.index
    ]
    inputs = dataclasses.replace(
        _inputs(copy),
        groups=groups,
        sources={group.id: "police_uk" for group in groups},
        indicators=pd.DataFrame(rows),
    )
    matrix, *_ = priority_tables(inputs, scoring=load_priority_scoring())
    matrix = matrix.set_index("group_id")
    assert len(matrix) >= 5
    for issue in matrix.index:
        assert table.loc[issue, "source"] == "police_uk"
        assert matrix.loc[issue, "harm_value"] == pytest.approx(table.loc[issue, "harm"])
        assert matrix.loc[issue, "harm_evidence"] == f"harm_crime_group:{issue}"
    harms = [float(matrix.loc[issue, "harm_value"]) for issue in matrix.index]
    scores = quintile_score(values=harms)["score"].tolist()
    assert matrix["harm_score"].tolist() == scores
    # Trend was not computed for any issue: not scored, and the score is rescaled over the rest.
    assert matrix["trend_score"].isna().all()
    assert matrix["not_scored"].str.contains("trend").all()
