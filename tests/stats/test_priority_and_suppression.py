"""Priority scoring arithmetic (methods.md §8.2) and small-number suppression (§0.2)."""

from __future__ import annotations

import pandas as pd
import pytest

from safecity import stats

ISSUES = ["violence", "shoplifting", "burglary", "criminal damage", "drugs", "robbery"]


def test_six_issue_matrix_hand_computed() -> None:
    volume = stats.quintile_score(values=[9000, 4000, 1200, 2500, 600, 300])["score"]
    harm = stats.quintile_score(values=[1_500_000, 40_000, 300_000, 20_000, 60_000, 250_000])[
        "score"
    ]
    trend = stats.trend_score(
        trend=[
            "Increasing",
            "Increasing",
            "Decreasing",
            "No significant change",
            "Cannot be calculated",
            "No significant change",
        ]
    )["score"]
    comparison = stats.comparison_score(
        versus_england=["Worse", "Similar", "Better", "Similar", "Similar", "Worse"],
        versus_comparators=["Worse", "Worse", "Similar", "Similar", "Better", "Similar"],
    )["score"]
    table = pd.DataFrame(
        {
            "volume": volume.to_numpy(),
            "trend": trend.to_numpy(),
            "harm": harm.to_numpy(),
            "comparators": comparison.to_numpy(),
        },
        index=ISSUES,
    )
    # by hand: volume ranks 6,5,3,4,2,1 -> quintiles 5,4,2,3,1,1 (k = 6, Q = 5);
    # harm ranks 6,2,5,1,3,4 -> 5,1,4,1,2,3; trend 5,5,1,3,3,3; comparators 5,4,2,3,2,4
    assert table["volume"].tolist() == [5, 4, 2, 3, 1, 1]
    assert table["harm"].tolist() == [5, 1, 4, 1, 2, 3]
    assert table["trend"].tolist() == [5, 5, 1, 3, 3, 3]
    assert table["comparators"].tolist() == [5, 4, 2, 3, 2, 4]
    result = stats.combine_priority_scores(scores=table)
    # totals: 20, 14, 9, 10, 8, 11 -> robbery (11) above criminal damage (10)
    assert result.index.tolist() == [
        "violence",
        "shoplifting",
        "robbery",
        "criminal damage",
        "burglary",
        "drugs",
    ]
    assert result["priority_score"].tolist() == [20.0, 14.0, 11.0, 10.0, 9.0, 8.0]
    assert result["rank"].tolist() == [1, 2, 3, 4, 5, 6]


def test_weights_and_morile_product() -> None:
    table = pd.DataFrame(
        {"volume": [5, 1], "trend": [3, 5], "harm": [1, 5]}, index=["theft", "rape"]
    )
    weighted = stats.combine_priority_scores(scores=table, weights={"harm": 3})
    assert weighted.loc["rape", "priority_score"] == 1 + 5 + 15
    assert weighted.index[0] == "rape"
    product = stats.combine_priority_scores(scores=table, likelihood_columns=("volume", "trend"))
    assert product.loc["theft", "priority_score"] == 1 * (5 + 3)
    assert product.loc["rape", "priority_score"] == 5 * (1 + 5)


def test_ties_broken_by_harm() -> None:
    table = pd.DataFrame({"volume": [5, 2], "harm": [1, 4]}, index=["a", "b"])
    result = stats.combine_priority_scores(scores=table)
    assert result.index.tolist() == ["b", "a"]


def test_unscored_criteria_rescaled_or_excluded_never_defaulted() -> None:
    nan = float("nan")
    table = pd.DataFrame(
        {"volume": [5, 2, 4], "trend": [3, nan, 1], "harm": [nan, 4, nan], "confidence": [3, 1, 2]},
        index=["asb", "rape", "theft"],
    )
    weights = {"harm": 2, "confidence": 0}  # total weight 1 + 1 + 2 = 4
    rescaled = stats.combine_priority_scores(scores=table, weights=weights)
    # asb: (5 + 3) / 2 x 4 = 16; rape: (2 + 2 x 4) / 3 x 4 = 13.33…; theft: (4 + 1) / 2 x 4 = 10
    assert rescaled.loc["asb", "priority_score"] == 16.0
    assert rescaled.loc["rape", "priority_score"] == pytest.approx(40 / 3)
    assert rescaled.loc["theft", "priority_score"] == 10.0
    assert rescaled["scored_criteria"].to_dict() == {"asb": 2, "rape": 2, "theft": 2}
    excluded = stats.combine_priority_scores(
        scores=table, weights=weights, unscored=stats.UnscoredRule.EXCLUDE
    )
    assert excluded["priority_score"].to_dict() == {"rape": 10.0, "asb": 8.0, "theft": 5.0}
    # MoRiLE: no harm score, no product; those issues rank last, by input order.
    product = stats.combine_priority_scores(scores=table, likelihood_columns=("volume", "trend"))
    assert product.index.tolist() == ["rape", "asb", "theft"]
    assert product.loc["rape", "priority_score"] == 4 * (2 / 1 * 2)  # likelihood rescaled: 4
    assert product[["priority_score"]].loc[["asb", "theft"]].isna().all().all()


def test_unknown_weight_and_labels_rejected() -> None:
    table = pd.DataFrame({"volume": [5, 2], "harm": [1, 4]})
    with pytest.raises(stats.StatisticsInputError, match="unknown criterion 'size'"):
        stats.combine_priority_scores(scores=table, weights={"size": 2})
    with pytest.raises(stats.StatisticsInputError, match="not a trend label: 'up' at row 0"):
        stats.trend_score(trend=["up"])
    with pytest.raises(stats.StatisticsInputError, match="at least five issues"):
        stats.quintile_score(values=[1, 2, 3])


class TestSuppression:
    def test_primary_only(self) -> None:
        result = stats.suppress_counts([[0, 4, 5], [10, 1, 9]], secondary=False)
        assert result.to_numpy().tolist() == [
            [0, "<5", 5, 9],
            [10, "<5", 9, 20],
            [10, 5, 14, 29],
        ]

    def test_secondary_protects_row_and_column_totals(self) -> None:
        mask = stats.suppression_mask([[3, 20, 7], [12, 15, 30]])
        assert mask.to_numpy().tolist() == [[True, False, True], [True, False, True]]
        for line in (*mask.to_numpy(), *mask.to_numpy().T):
            assert line.sum() != 1

    def test_threshold_of_ten(self) -> None:
        mask = stats.suppression_mask([[7, 50, 60], [40, 50, 60]], threshold=10)
        assert mask.to_numpy().sum() == 4
        assert bool(mask.iloc[0, 0])

    def test_one_row_has_no_column_totals(self) -> None:
        result = stats.suppress_counts(pd.Series([2, 50, 60, 70], index=list("abcd")))
        assert result.index.tolist() == [0]
        assert result.to_numpy().tolist() == [["<5", "[c]", 60, 70, 182]]

    def test_total_hidden_when_nothing_else_can_be(self) -> None:
        result = stats.suppress_counts([[3, 0, 0], [5, 6, 7]])
        assert result.loc[0, "Total"] == "[c]"
        assert result.loc["Total", "Total"] == "[c]"

    def test_negative_count_is_rejected(self) -> None:
        with pytest.raises(stats.StatisticsInputError, match="at row 1, column 0"):
            stats.suppression_mask([[1, 2], [-1, 4]])
