"""Sentences on the position against England and comparators, from a benchmarking row.

The demo city is the only partnership of its synthetic country with data, so its artefact has
no benchmarking rows; this row has the columns ``safecity assess`` writes to ``benchmarking``.
"""

from __future__ import annotations

from safecity.report.evidence import CitedRow
from safecity.report.narrative import benchmark_sentences

RULE = "Fingertips 95% confidence interval against a fixed benchmark, polarity low_is_good"


def _row(**changes: object) -> CitedRow:
    values: dict[str, object] = {
        "benchmark_id": "benchmark:all_crime:E22000120:2022/23",
        "rate": 121.26217,
        "england_rate": 84.7591,
        "england_label": "Worse",
        "label_rule": RULE,
        "rank": 7.0,
        "rank_of": 296.0,
        "comparator_rate": 110.04,
        "comparator_label": "Similar",
    }
    values.update(changes)
    return CitedRow(table="benchmarking", row_id=str(values["benchmark_id"]), values=values)


def test_position_against_england_rank_and_comparators() -> None:
    sentences = benchmark_sentences(_row(), area_name="Southampton")
    assert [sentence.text for sentence in sentences] == [
        "Compared with England's rate of 84.8 per 1,000, the rate in Southampton (121.3 per"
        f" 1,000) was worse ({RULE}).",
        "Southampton ranked 7 of 296 partnerships by rate (1 = highest).",
        "Compared with its comparator partnerships (pooled rate 110.0 per 1,000) it was similar.",
    ]
    cited = {(citation.column, citation.text) for sentence in sentences
             for citation in sentence.citations}  # fmt: skip
    assert {("england_rate", "84.8"), ("rate", "121.3"), ("rank", "7"), ("rank_of", "296")} <= cited
    assert all(sentence.row_ids == (_row().row_id,) for sentence in sentences)


def test_comparisons_not_made_are_not_mentioned() -> None:
    sentences = benchmark_sentences(
        _row(comparator_label="Not compared", england_label="Not compared", rank=float("nan")),
        area_name="Southampton",
    )
    assert sentences == []
