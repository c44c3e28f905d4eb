"""Raking to population margins: R ``survey::rake`` golden values, convergence, trimming, errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safecity.stats import StatisticsInputError
from safecity.stats.raking import TrimBounds, rake
from safecity.stats.survey import kish_design_effect

FIXTURE = Path(__file__).parent / "fixtures" / "apiclus1_rake.csv"

# The ?rake example of the R survey package (man/rake.Rd, tests/rakecheck.R):
POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}
# xtabs(~stype + sch.wide, apipop) and pop.imp of the same example ("raking with partial joint
# distributions"); the joint counts are those of apipop in data/api.rda.
POP_TABLE = {"E.No": 472, "E.Yes": 3949, "H.No": 334, "H.Yes": 421, "M.No": 266, "M.Yes": 752}
POP_IMP = {"No": 1712, "Yes": 4482}


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(FIXTURE, comment="#", dtype={"cds": str})


def test_fixture_is_the_r_apiclus1(apiclus1: pd.DataFrame) -> None:
    # apiclus1: 183 schools in 15 districts, every sampling weight 6194/183 (R: pw).
    assert len(apiclus1) == 183
    assert apiclus1["dnum"].nunique() == 15
    assert apiclus1["pw"].unique().tolist() == pytest.approx([33.846996307373047])


def test_rake_reproduces_r_survey_rake_example(apiclus1: pd.DataFrame) -> None:
    # R survey 4.5, tests/rakecheck.Rout.save (the ?rake example, epsilon = 1e-10):
    #   svymean(~api00, rclus1r)    -> 641.23
    #   svytotal(~enroll, rclus1r)  -> 3647280
    result = rake(
        categories=apiclus1[["stype", "sch_wide"]],
        margins={"stype": POP_TYPES, "sch_wide": POP_SCHWIDE},
        base_weights=apiclus1["pw"],
        tolerance=1e-10,
    )
    weights = result.weights
    mean_api00 = float((weights * apiclus1["api00"]).sum() / weights.sum())
    total_enroll = float((weights * apiclus1["enroll"]).sum())
    assert round(mean_api00, 2) == 641.23
    assert round(total_enroll) == 3647280
    assert result.converged
    # "marginal totals correspond to population" (the example's svytable calls)
    for column, margin in (("stype", POP_TYPES), ("sch_wide", POP_SCHWIDE)):
        achieved = weights.groupby(apiclus1[column]).sum()
        for category, total in margin.items():
            assert achieved[category] == pytest.approx(total, rel=1e-10)
    assert result.max_relative_margin_error <= 1e-10
    assert result.population_total == 6194
    assert result.rescaled == {}
    kish = kish_design_effect(weights=weights.to_numpy()).iloc[0]
    assert result.design_effect == pytest.approx(float(kish["design_effect"]))
    assert result.effective_sample_size == pytest.approx(183 / result.design_effect)
    assert result.weights.index.equals(apiclus1.index)


def test_rake_reproduces_r_partial_joint_example(apiclus1: pd.DataFrame) -> None:
    # R survey 4.5, tests/rakecheck.Rout.save: rake(dclus1, list(~stype+sch.wide, ~comp.imp),
    # list(pop.table, pop.imp)) and the equivalent calibrate(..., calfun="raking") both print
    #   svymean(~api00, dclus1r2) -> 642.61
    joint = apiclus1["stype"] + "." + apiclus1["sch_wide"]
    categories = pd.DataFrame({"joint": joint, "comp_imp": apiclus1["comp_imp"]})
    result = rake(
        categories=categories,
        margins={"joint": POP_TABLE, "comp_imp": POP_IMP},
        base_weights=apiclus1["pw"],
        tolerance=1e-10,
        max_iterations=500,
    )
    weights = result.weights
    assert result.converged
    assert round(float((weights * apiclus1["api00"]).sum() / weights.sum()), 2) == 642.61


def test_unit_base_weights_give_the_same_weights_as_equal_design_weights(
    apiclus1: pd.DataFrame,
) -> None:
    # Only the ratios of the base weights matter (apiclus1's are all equal).
    margins = {"stype": POP_TYPES, "sch_wide": POP_SCHWIDE}
    with_design = rake(
        categories=apiclus1[["stype", "sch_wide"]], margins=margins, base_weights=apiclus1["pw"]
    )
    without = rake(categories=apiclus1[["stype", "sch_wide"]], margins=margins)
    np.testing.assert_allclose(with_design.weights, without.weights, rtol=1e-12)


@st.composite
def _samples(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, dict[str, float]], np.ndarray]:
    first = draw(st.integers(min_value=2, max_value=4))
    second = draw(st.integers(min_value=2, max_value=3))
    # every cell of the cross-classification has a respondent, so the margins can be met
    cells = [(a, b) for a in range(first) for b in range(second)]
    extra = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=first - 1),
                st.integers(min_value=0, max_value=second - 1),
            ),
            max_size=30,
        )
    )
    rows = cells + extra
    frame = pd.DataFrame({"a": [f"a{a}" for a, _ in rows], "b": [f"b{b}" for _, b in rows]})
    shares_a = draw(st.lists(st.floats(1, 50), min_size=first, max_size=first))
    shares_b = draw(st.lists(st.floats(1, 50), min_size=second, max_size=second))
    total = 10_000.0
    margins = {
        "a": {f"a{i}": total * s / sum(shares_a) for i, s in enumerate(shares_a)},
        "b": {f"b{i}": total * s / sum(shares_b) for i, s in enumerate(shares_b)},
    }
    base = np.array(draw(st.lists(st.floats(0.5, 2.0), min_size=len(rows), max_size=len(rows))))
    return frame, margins, base


@settings(max_examples=25, deadline=None)
@given(_samples())
def test_raking_converges_to_the_margins(
    sample: tuple[pd.DataFrame, dict[str, dict[str, float]], np.ndarray],
) -> None:
    frame, margins, base = sample
    result = rake(categories=frame, margins=margins, base_weights=base, max_iterations=2000)
    assert result.converged
    for column, margin in margins.items():
        achieved = result.weights.groupby(frame[column]).sum()
        for category, total in margin.items():
            assert achieved[category] == pytest.approx(total, rel=1e-6)
    assert (result.weights > 0).all()
    assert result.weights.sum() == pytest.approx(10_000.0)


@settings(max_examples=20, deadline=None)
@given(_samples(), st.data())
def test_unknown_categories_keep_the_total_and_the_known_distribution(
    sample: tuple[pd.DataFrame, dict[str, dict[str, float]], np.ndarray], data: st.DataObject
) -> None:
    frame, margins, base = sample
    # blank some of b, keeping the first len(cells) rows (every cell) known
    cells = len(margins["a"]) * len(margins["b"])
    blanks = data.draw(
        st.lists(st.integers(min_value=cells, max_value=max(cells, len(frame) - 1)), max_size=10)
    )
    blanked = sorted({index for index in blanks if index < len(frame)})
    frame = frame.copy()
    frame.loc[blanked, "b"] = None
    result = rake(categories=frame, margins=margins, base_weights=base, max_iterations=2000)
    assert result.converged
    assert result.unknown == ({"b": len(blanked)} if blanked else {})
    weights = result.weights
    assert weights.sum() == pytest.approx(10_000.0)
    by_a = weights.groupby(frame["a"]).sum()
    for category, total in margins["a"].items():
        assert by_a[category] == pytest.approx(total, rel=1e-5)
    known = frame["b"].notna()
    shares = weights[known].groupby(frame.loc[known, "b"]).sum() / weights[known].sum()
    for category, total in margins["b"].items():
        assert shares[category] == pytest.approx(total / 10_000.0, rel=1e-5)


def test_trimming_keeps_weights_within_bounds_and_margins() -> None:
    # 30 young respondents among 300 for a population that is half young: weights of the
    # young are ~5x the mean; trimming at 3x must hold while the margins still hold.
    generator = np.random.default_rng(12)
    age = np.array(["young"] * 30 + ["old"] * 270)
    sex = generator.choice(["f", "m"], size=300)
    frame = pd.DataFrame({"age": age, "sex": sex})
    margins = {"age": {"young": 5000.0, "old": 5000.0}, "sex": {"f": 5200.0, "m": 4800.0}}
    untrimmed = rake(categories=frame, margins=margins)
    assert untrimmed.weights.max() > 3 * 10_000 / 300
    trimmed = rake(categories=frame, margins=margins, trim=TrimBounds(lower=0.3, upper=3.0))
    mean = 10_000 / 300
    assert trimmed.trim_bounds == pytest.approx((0.3 * mean, 3.0 * mean))
    # 30 young weights capped at 3x the mean cannot reach half the population: the bounds and
    # the margins cannot both hold. The margins win (the last step re-rakes) and the result
    # says it did not converge rather than pretending.
    assert 30 * 3.0 * mean < 5000.0
    assert not trimmed.converged
    assert trimmed.trimmed > 0
    assert trimmed.max_relative_margin_error <= 1e-6
    assert trimmed.weights.max() > 3.0 * mean


def test_trimming_that_can_hold_with_the_margins_converges() -> None:
    generator = np.random.default_rng(7)
    age = np.array(["young"] * 80 + ["old"] * 220)
    sex = generator.choice(["f", "m"], size=300)
    frame = pd.DataFrame({"age": age, "sex": sex})
    base = generator.uniform(0.2, 5.0, size=300)
    margins = {"age": {"young": 4000.0, "old": 6000.0}, "sex": {"f": 5200.0, "m": 4800.0}}
    untrimmed = rake(categories=frame, margins=margins, base_weights=base)
    mean = 10_000 / 300
    assert untrimmed.weights.max() > 2.5 * mean
    bounds = TrimBounds(lower=0.4, upper=2.5)
    result = rake(categories=frame, margins=margins, base_weights=base, trim=bounds)
    assert result.converged
    assert result.trimmed > 0
    assert result.weights.max() <= 2.5 * mean * (1 + 1e-6)
    assert result.weights.min() >= 0.4 * mean * (1 - 1e-6)
    for column, margin in margins.items():
        achieved = result.weights.groupby(frame[column]).sum()
        for category, total in margin.items():
            assert achieved[category] == pytest.approx(total, rel=1e-6)
    assert result.design_effect < untrimmed.design_effect


def test_margins_on_different_totals_are_rescaled_to_the_first() -> None:
    frame = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["p", "q", "p", "q"]})
    result = rake(
        categories=frame,
        margins={"a": {"x": 60.0, "y": 40.0}, "b": {"p": 55.0, "q": 55.0}},
    )
    assert result.rescaled == {"b": pytest.approx(100 / 110)}
    assert result.targets["b"] == {"p": pytest.approx(50.0), "q": pytest.approx(50.0)}
    assert result.weights.sum() == pytest.approx(100.0)
    assert result.converged


def test_unknown_category_keeps_the_other_margins_adjustment() -> None:
    frame = pd.DataFrame(
        {"sex": ["m", "f", "f", "m", "f", None], "age": ["y", "y", "o", "o", "o", "y"]}
    )
    margins = {"sex": {"m": 50.0, "f": 50.0}, "age": {"y": 30.0, "o": 70.0}}
    result = rake(categories=frame, margins=margins, max_iterations=500)
    assert result.converged
    assert result.unknown == {"sex": 1}
    weights = result.weights
    # age (known for everyone) holds exactly; the grand total is the population's
    assert weights[frame["age"] == "y"].sum() == pytest.approx(30.0)
    assert weights.sum() == pytest.approx(100.0)
    # among respondents whose sex is known, the population's sex distribution holds
    known = frame["sex"].notna()
    by_sex = weights[known].groupby(frame.loc[known, "sex"]).sum()
    assert by_sex["m"] / by_sex.sum() == pytest.approx(0.5, rel=1e-6)


@pytest.mark.parametrize(
    ("categories", "margins", "base", "message"),
    [
        (
            pd.DataFrame({"sex": ["m", "f", "x"]}),
            {"sex": {"m": 1.0, "f": 1.0}},
            None,
            "has 'x' (1 respondents, first at row 2) but margins['sex'] has no population",
        ),
        (
            pd.DataFrame({"age": ["16-24", "25-34"]}),
            {"age": {"16-24": 10.0, "25-34": 10.0, "75+": 5.0}},
            None,
            "margins['age'] cannot be reached: no respondent is in '75+'",
        ),
        (
            pd.DataFrame({"sex": ["m", "f"]}),
            {"sex": {"m": 1.0, "f": 1.0}},
            [1.0, 0.0],
            "base_weights must be greater than zero",
        ),
        (
            pd.DataFrame({"sex": ["m", "f"]}),
            {"sex": {"m": 1.0, "f": -1.0}},
            None,
            "must be a non-negative finite number",
        ),
        (
            pd.DataFrame({"sex": ["m", "f"]}),
            {"sex": {"m": 1.0, "f": 0.0}},
            None,
            "is 0 but 1 respondents are in it",
        ),
        (
            pd.DataFrame({"sex": ["m", "f"]}),
            {"ward": {"E05000001": 1.0}},
            None,
            "margins ['ward'] are not columns of categories",
        ),
        (pd.DataFrame({"sex": []}), {"sex": {"m": 1.0}}, None, "no respondents"),
    ],
)
def test_clear_errors(
    categories: pd.DataFrame,
    margins: dict[str, dict[str, float]],
    base: list[float] | None,
    message: str,
) -> None:
    with pytest.raises(StatisticsInputError, match=re.escape(message)):
        rake(categories=categories, margins=margins, base_weights=base)


def test_trim_bounds_are_checked() -> None:
    with pytest.raises(StatisticsInputError, match="trim upper bound must be above 1"):
        TrimBounds(upper=0.9)
    with pytest.raises(StatisticsInputError, match="trim lower bound must be at least 0"):
        TrimBounds(lower=1.5)


def test_non_convergence_is_reported() -> None:
    # One sweep cannot fit two dependent margins from a skewed start.
    frame = pd.DataFrame({"a": ["x", "x", "y", "y", "y"], "b": ["p", "q", "p", "p", "q"]})
    result = rake(
        categories=frame,
        margins={"a": {"x": 50.0, "y": 50.0}, "b": {"p": 20.0, "q": 80.0}},
        max_iterations=1,
    )
    assert result.iterations == 1
    assert not result.converged
    assert result.max_margin_error > 1e-3
