"""Nearest-neighbour comparator groups (``safecity.assess.comparators``; methods.md §3.2).

The hand-checked case: five CSPs on two indicators x = (0, 1, 0, 2, 2), y = (0, 0, 2, 2, 1).
Both have mean 1 and population variance (1 + 0 + 1 + 1 + 1) / 5 = 0.8 (x) and
(1 + 1 + 1 + 1 + 0) / 5 = 0.8 (y), so each z-score is the raw difference over √0.8 = 0.894427.
From A = (0, 0): B (1, 0) is 1 / √0.8 = 1.118034 away; C (0, 2) 2 / √0.8 = 2.236068; E (2, 1)
√5 / √0.8 = 2.5; D (2, 2) √8 / √0.8 = √10 = 3.162278. The nearest three are B, C, E.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from csp_country import build_country, country_csps

from safecity.assess.comparators import (
    GroupMethod,
    computed_group,
    csp_open_indicators,
    load_nearest_neighbour_settings,
    loaded_group,
    nearest_neighbours,
)
from safecity.assess.periods import parse_period
from safecity.data.warehouse import Warehouse

HAND = pd.DataFrame(
    {
        "csp_code": ["A", "B", "C", "D", "E"],
        "x": [0.0, 1.0, 0.0, 2.0, 2.0],
        "y": [0.0, 0.0, 2.0, 2.0, 1.0],
    }
)
PERIOD = parse_period("2020-05..2020-06")


def test_nearest_neighbours_match_the_hand_computation() -> None:
    found = nearest_neighbours(HAND, subject="A", k=3, variables=("x", "y"))
    assert found["csp_code"].tolist() == ["B", "C", "E"]
    assert found["order"].tolist() == [1, 2, 3]
    expected = [1 / math.sqrt(0.8), 2 / math.sqrt(0.8), math.sqrt(5) / math.sqrt(0.8)]
    assert found["distance"].tolist() == pytest.approx(expected, rel=1e-12)
    everyone = nearest_neighbours(HAND, subject="A", k=15, variables=("x", "y"))
    assert everyone["csp_code"].tolist() == ["B", "C", "E", "D"]
    assert everyone["distance"].iloc[-1] == pytest.approx(math.sqrt(10), rel=1e-12)


def test_the_same_inputs_give_the_same_group_in_any_row_order_and_units() -> None:
    first = nearest_neighbours(HAND, subject="A", k=3, variables=("x", "y"))
    shuffled = HAND.sample(frac=1.0, random_state=7)
    assert nearest_neighbours(shuffled, subject="A", k=3, variables=("x", "y")).equals(first)
    rescaled = HAND.assign(y=HAND["y"] * 1000 + 5)  # z-scores do not depend on units
    again = nearest_neighbours(rescaled, subject="A", k=3, variables=("x", "y"))
    assert again["csp_code"].tolist() == first["csp_code"].tolist()
    assert again["distance"].to_numpy() == pytest.approx(first["distance"].to_numpy())


def test_ties_are_broken_by_csp_code() -> None:
    frame = pd.DataFrame({"csp_code": ["S", "Z9", "A2"], "x": [0.0, -1.0, 1.0]})
    found = nearest_neighbours(frame, subject="S", k=1, variables=("x",))
    assert found["csp_code"].tolist() == ["A2"]  # Z9 is as far, but A2 sorts first


def test_the_subject_needs_every_indicator() -> None:
    frame = HAND.assign(y=[None, 0.0, 2.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="A has not every indicator"):
        nearest_neighbours(frame, subject="A", k=3, variables=("x", "y"))


def test_the_shipped_settings_are_the_documented_ones() -> None:
    settings = load_nearest_neighbour_settings()
    assert settings.k == 15
    assert settings.variables == (
        "imd_score",
        "population_density",
        "log_population",
        "crime_severity_score",
    )
    assert "not the Home Office most similar group" in settings.approximate_note
    text = (Path(__file__).parents[2] / "docs" / "assessment.md").read_text("utf-8")
    documented = " ".join(text.split())
    assert "approximate, not the Home Office most similar group" in documented
    assert "z-scored" in documented
    assert "k = 15" in documented


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The twelve-CSP country with LAD areas, IMD scores and a published CSS table loaded."""
    warehouse = build_country(tmp_path_factory.mktemp("country"), country_csps(), missing=())
    connection = warehouse.connection
    for entry in country_csps():
        index = int(str(entry["name"]).split()[-1])
        connection.execute(
            "INSERT INTO population_total VALUES ('lad', ?, 2020, 2020, ?, NULL, NULL, NULL, ?,"
            " 900)",
            [entry["lad"], entry["population"], 100.0 * index],
        )
        connection.execute(
            "INSERT INTO deprivation VALUES ('IMD2019', 'lad', ?, 2019, 'imd', 'score', ?, 901)",
            [entry["lad"], 10.0 + 2.0 * index],
        )
    yield warehouse  # type: ignore[misc]
    warehouse.close()


def test_open_indicators_come_from_the_loaded_tables(country: Warehouse) -> None:
    indicators, sources = csp_open_indicators(country, period=PERIOD)
    place3 = indicators.set_index("csp_code").loc["E22000003"]
    assert place3["population"] == 1300  # csp_entry: 1000 + 100 x index
    assert place3["area_hectares"] == 300.0
    assert place3["population_density"] == pytest.approx(1300 / 300)
    assert place3["imd_score"] == 16.0
    assert math.isnan(place3["crime_severity_score"])
    assert "IMD2019 score" in sources["imd_score"]
    assert "no published table" in sources["crime_severity_score"]


def test_the_computed_group_is_reproducible_and_flagged_approximate(country: Warehouse) -> None:
    indicators, sources = csp_open_indicators(country, period=PERIOD)
    group, reason = computed_group(indicators, subject="E22000005", sources=sources)
    assert reason == ""
    assert group is not None
    again, _ = computed_group(indicators, subject="E22000005", sources=sources)
    assert again is not None
    assert again.codes == group.codes
    expected = nearest_neighbours(
        indicators, subject="E22000005", k=15, variables=group_variables()
    )
    assert list(group.codes) == expected["csp_code"].tolist()
    assert len(group.codes) == 11  # every other place: fewer than k = 15 CSPs exist
    # IMD (10 + 2i), density (10/i + 1 per hectare) and log population all move monotonically
    # with the place number i, so places 4 and 6 are the two nearest place 5.
    assert set(group.codes[:2]) == {"E22000004", "E22000006"}
    assert group.approximate
    assert group.method is GroupMethod.NEAREST_NEIGHBOURS
    assert "not the Home Office most similar group" in group.note
    assert "Not used (not loaded): crime severity score" in group.note


def group_variables() -> tuple[str, ...]:
    return ("imd_score", "population_density", "log_population")


def test_a_loaded_group_is_read_by_name(country: Warehouse) -> None:
    connection = country.connection
    for member in ("E22000001", "E22000002"):
        connection.execute(
            "INSERT INTO comparator_group VALUES ('Northshire MSG', '2023', 'E22000005', ?,"
            " NULL, 'supplied', 902)",
            [member],
        )
    group, reason = loaded_group(country, group_name="Northshire MSG", subject="E22000005")
    assert reason == ""
    assert group is not None
    assert group.codes == ("E22000001", "E22000002")
    assert not group.approximate
    assert group.method is GroupMethod.LOADED_TABLE
    missing, why = loaded_group(country, group_name="Northshire MSG", subject="E22000003")
    assert missing is None
    assert "no list for E22000003" in why
    unknown, why = loaded_group(country, group_name="Other", subject="E22000005")
    assert unknown is None
    assert "loaded groups: Northshire MSG" in why
