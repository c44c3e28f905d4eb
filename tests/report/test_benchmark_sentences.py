"""Sentences on the position against other partnerships, from a benchmarking row.

The rows have the columns ``safecity assess`` writes to ``benchmarking``: with national coverage
(an England figure, rank and band), with a labelled subset ("England excluding …"), and without
it (a comparison among the CSPs loaded, named with its members, and the reason for no England
figure).
"""

from __future__ import annotations

from safecity.report.evidence import CitedRow
from safecity.report.narrative import benchmark_not_made, benchmark_sentences

HAMPSHIRE = (
    "East Hampshire, Eastleigh, Fareham, Gosport, Havant, Isle of Wight, New Forest, North "
    "Hampshire, Portsmouth, Southampton, Test Valley and Winchester"
)
NOT_ENGLAND = (
    f"not made: the loaded police.uk data cover 12 CSPs of Hampshire Constabulary ({HAMPSHIRE}),"
    " not all of England: 38 of the 39 police forces of England have no police.uk data for"
    " 2017-06..2017-09"
)


def _row(**changes: object) -> CitedRow:
    values: dict[str, object] = {
        "benchmark_id": "benchmarking:all_crime:E22000120:2022/23",
        "nation": "England",
        "rate": 121.26217,
        "national_name": "England",
        "national_coverage": "complete",
        "national_rate": 84.7591,
        "national_label": "Worse",
        "national_not_made": "",
        "rank": 7.0,
        "rank_of": 296.0,
        "rank_scope": "English CSPs",
        "band_description": "among the highest 10%",
        "regional_scope": "",
        "regional_members": "",
        "regional_rank": float("nan"),
        "regional_rank_of": float("nan"),
        "regional_rate": float("nan"),
        "regional_label": "Not compared",
        "regional_not_made": "",
        "comparator_rate": 110.04,
        "comparator_label": "Similar",
        "comparator_names": "Portsmouth and Plymouth",
    }
    values.update(changes)
    return CitedRow(table="benchmarking", row_id=str(values["benchmark_id"]), values=values)


def test_position_against_england_rank_and_comparators() -> None:
    sentences = benchmark_sentences(_row(), area_name="Southampton")
    assert [sentence.text for sentence in sentences] == [
        "Compared with the England average of 84.8 per 1,000, the rate in Southampton (121.3 per"
        " 1,000) was significantly higher (its 95% confidence interval lies wholly above it).",
        "Southampton ranked 7 of 296 English CSPs by rate (1 = highest), among the highest 10%.",
        "Compared with its comparator partnerships (Portsmouth and Plymouth; average 110.0 per"
        " 1,000) its rate was not significantly different (its 95% confidence interval includes"
        " it).",
    ]
    cited = {(citation.column, citation.text) for sentence in sentences
             for citation in sentence.citations}  # fmt: skip
    assert {
        ("national_name", "England"), ("national_rate", "84.8"), ("rate", "121.3"),
        ("rank", "7"), ("rank_of", "296"), ("rank_scope", "English CSPs"),
    } <= cited  # fmt: skip
    assert all(sentence.row_ids == (_row().row_id,) for sentence in sentences)
    assert benchmark_not_made(_row()) == []


def test_a_labelled_subset_is_never_called_england() -> None:
    row = _row(
        national_name="England excluding Greater Manchester Police",
        national_coverage="subset",
        rank_of=286.0,
        rank_scope="English CSPs (excluding Greater Manchester Police)",
        national_label="Better",
    )
    national, rank, _ = benchmark_sentences(row, area_name="Southampton")
    assert national.text == (
        "Compared with the average of England excluding Greater Manchester Police of 84.8 per"
        " 1,000, the rate in Southampton (121.3 per 1,000) was significantly lower (its 95%"
        " confidence interval lies wholly below it)."
    )
    assert rank.text == (
        "Southampton ranked 7 of 286 English CSPs (excluding Greater Manchester Police) by rate"
        " (1 = highest), among the highest 10%."
    )


def test_without_national_coverage_the_csps_loaded_are_named_and_england_is_not() -> None:
    row = _row(
        national_name="",
        national_coverage="not national",
        national_rate=float("nan"),
        national_label="Not compared",
        national_not_made=NOT_ENGLAND,
        rank=float("nan"),
        rank_of=float("nan"),
        rank_scope="",
        band_description="",
        regional_scope="the 12 CSPs of Hampshire Constabulary's area loaded",
        regional_members=HAMPSHIRE,
        regional_rank=2.0,
        regional_rank_of=12.0,
        regional_rate=25.02,
        regional_label="Worse",
        comparator_rate=float("nan"),
        comparator_label="Not compared",
    )
    sentences = benchmark_sentences(row, area_name="Southampton")
    assert [sentence.text for sentence in sentences] == [
        f"Among the 12 CSPs of Hampshire Constabulary's area loaded ({HAMPSHIRE}), Southampton"
        " ranked 2 of 12 by rate (1 = highest).",
        "Compared with the average of these CSPs (25.0 per 1,000) its rate was significantly"
        " higher (its 95% confidence interval lies wholly above it).",
    ]
    assert all("England" not in sentence.text for sentence in sentences)
    assert benchmark_not_made(row) == [
        f"No comparison with England: {NOT_ENGLAND.removeprefix('not made: ')}."
    ]


def test_comparisons_not_made_are_not_mentioned() -> None:
    sentences = benchmark_sentences(
        _row(
            comparator_label="Not compared",
            national_label="Not compared",
            rank=float("nan"),
        ),
        area_name="Southampton",
    )
    assert sentences == []
