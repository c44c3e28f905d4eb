"""Family 12: plain-English findings generated only from the tables, citing the rows they rest on.

Wording of significance follows the test actually run: a change is "statistically significant"
only when the exact conditional rate-ratio test gives p < 0.05, and the sentence names the
test in plain words (its methods-appendix entry is in ``methods``); a ward is "significantly
higher than the average" only when its 95% interval lies above the area's rate (the
Fingertips rule). A comparison the coverage rule refused is reported as not made, with why.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import pandas as pd

from safecity.assess.indicator_columns import AreaLevel
from safecity.assess.periods import Period
from safecity.assess.wording import INTERVAL_ABOVE, RATE_RATIO, significance_words


@dataclass(frozen=True, slots=True)
class Finding:
    """One sentence, the ids of the rows it rests on and the methods it names.

    ``significant`` is True exactly when the sentence says a result is statistically
    significant; ``methods`` are ids of the methods-appendix entries of the tests the
    sentence names (:class:`~safecity.assess.wording.MethodId`).
    """

    finding_id: str
    topic: str
    sentence: str
    row_ids: tuple[str, ...]
    significant: bool = False
    methods: tuple[str, ...] = ()


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _lower_first(name: str) -> str:
    if len(name) > 1 and name[:2].isupper():
        return name
    return name[0].lower() + name[1:]


def _coverage_words(row: Mapping[Hashable, object], *, period: Period) -> str:
    """ ", on the 6 months of 2017/18 with data" when the period is not complete."""
    months = row.get("months_with_data")
    length = row.get("months_in_period")
    if not isinstance(months, int | float) or not isinstance(length, int | float):
        return ""
    if math.isnan(months) or math.isnan(length):
        return ""
    if int(str(months)) >= int(str(length)):
        return ""
    count = int(str(months))
    return f", on the {count} month{'s' if count != 1 else ''} of {period.words} with data"


def change_findings(
    indicators: pd.DataFrame, *, area_code: str, period: Period, baseline: Period
) -> list[Finding]:
    """One sentence per group on its change against the baseline, for the assessed area.

    The counts quoted are those compared (the months with data on both sides); when those are
    not the whole period the sentence says which months. A comparison the coverage rule
    refused gives a sentence saying it was not made, and why.
    """
    rows = indicators[indicators["area_code"] == area_code].sort_values("indicator_id")
    findings = []
    not_made = rows[rows["change_not_made"].fillna("").astype(str) != ""]
    for reason, frame in not_made.groupby("change_not_made", sort=True):
        names = [_lower_first(str(name)) for name in frame["indicator_name"]]
        listed = _join(names) if len(names) <= 3 else f"{len(names)} crime groups"
        first = frame.iloc[0]
        findings.append(
            Finding(
                finding_id=f"change_not_made_{first['source']}",
                topic="coverage",
                sentence=(
                    f"Changes in {listed} between {baseline.words} and {period.words} are not"
                    f" reported: {reason}."
                ),
                row_ids=tuple(str(row_id) for row_id in frame["row_id"]),
            )
        )
    for row in rows.to_dict("records"):
        name = _lower_first(str(row["indicator_name"]))
        if str(row.get("change_not_made") or ""):
            continue
        if pd.isna(row.get("change_pct")):
            continue
        change = float(row["change_pct"])
        if change == 0:
            continue
        direction = "increase" if change > 0 else "decline"
        significant = bool(row["change_significant"])
        verdict = significance_words(
            significant=significant, test=RATE_RATIO, p_value=float(row["change_p_value"])
        )
        basis = str(row.get("change_basis") or "")
        now = int(float(row["change_numerator"]))
        then = int(float(row["change_baseline_numerator"]))
        sentence = (
            f"There was {indefinite_article(f'{abs(change):.1f}')} {abs(change):.1f}% {direction}"
            f" in {name} ({now:,} in {period.words}) compared with {baseline.words} ({then:,})"
            + (f", {basis}" if basis else "")
            + f", {verdict}."
        )
        findings.append(
            Finding(
                finding_id=f"change_{row['indicator_id']}",
                topic=str(row["indicator_id"]),
                sentence=sentence,
                row_ids=(str(row["row_id"]),),
                significant=significant,
                methods=(RATE_RATIO.method.value,),
            )
        )
    return findings


def ward_findings(indicators: pd.DataFrame, *, area_name: str, period: Period) -> list[Finding]:
    """For each group, the wards whose rate is significantly higher than the area's.

    "Significantly higher" rests on the Fingertips rule (the ward's 95% interval lies above
    the area's rate), so the finding is marked significant and names that rule.
    """
    wards = indicators[
        (indicators["area_level"] == AreaLevel.WARD.value)
        & (indicators["benchmark_label"] == "Higher")
    ]
    findings = []
    for indicator, unsorted in wards.groupby("indicator_id"):
        frame = unsorted.sort_values("value", ascending=False)
        names = [str(name) for name in frame["area_name"]]
        verb = "has" if len(names) == 1 else "have"
        rate_word = (
            "a significantly higher rate" if len(names) == 1 else "significantly higher rates"
        )
        name = _lower_first(str(frame["indicator_name"].iloc[0]))
        first = frame.iloc[0].to_dict()
        sentence = (
            f"{_join(names)} {verb} {rate_word} of {name} than the {area_name} average"
            f"{_coverage_words(first, period=period)} (each ward's 95% confidence interval lies"
            f" wholly above the {area_name} rate)."
        )
        findings.append(
            Finding(
                finding_id=f"wards_higher_{indicator}",
                topic=str(indicator),
                sentence=sentence,
                row_ids=tuple(str(row_id) for row_id in frame["row_id"]),
                significant=True,
                methods=(INTERVAL_ABOVE.method.value,),
            )
        )
    return findings


HEADLINE_TOPICS = ("all_crime", "asb")


def order_findings(findings: list[Finding]) -> list[Finding]:
    """Comparisons not made first, then headline groups, then significant changes, then ward
    comparisons, then the rest."""

    def key(finding: Finding) -> tuple[int, str]:
        if finding.finding_id.startswith("change_not_made_"):
            return (0, "")
        if finding.topic in HEADLINE_TOPICS and finding.finding_id.startswith("change_"):
            return (0, str(1 + HEADLINE_TOPICS.index(finding.topic)))
        if finding.finding_id.startswith("change_") and finding.significant:
            return (1, finding.topic)
        if finding.finding_id.startswith("wards_higher_"):
            return (2 if finding.topic in HEADLINE_TOPICS else 3, finding.topic)
        return (4, finding.topic)

    return sorted(findings, key=key)


def indefinite_article(number_text: str) -> str:
    """``a`` or ``an`` before a number as it is read aloud ("an 8.7%", "an 11%", "a 1.4%").

    Examples
    --------
    >>> [indefinite_article(text) for text in ("8.7", "11.0", "18", "1.4", "80", "100")]
    ['an', 'an', 'an', 'a', 'an', 'a']
    """
    whole = number_text.split(".", maxsplit=1)[0]
    if (
        whole.startswith("8")
        or whole in ("11", "18")
        or (len(whole) in (5, 6) and whole[:2] in ("11", "18"))
    ):
        return "an"
    return "a"


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a table: ``finding_id, topic, sentence, row_ids, significant,
    methods`` (ids joined by ``;``)."""
    return pd.DataFrame(
        [
            {
                "finding_id": finding.finding_id,
                "topic": finding.topic,
                "sentence": finding.sentence,
                "row_ids": ";".join(finding.row_ids),
                "significant": finding.significant,
                "methods": ";".join(finding.methods),
            }
            for finding in findings
        ],
        columns=["finding_id", "topic", "sentence", "row_ids", "significant", "methods"],
    )
