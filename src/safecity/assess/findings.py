"""Family 12: plain-English findings generated only from the tables, citing the rows they rest on.

Wording of significance follows the test actually run: a change is "statistically significant"
only when the exact conditional rate-ratio test gives p < 0.05, and the sentence names the
test; a ward is "significantly higher than the average" only when its 95% interval lies above
the area's rate (the Fingertips rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from safecity.assess.indicator_columns import AreaLevel


@dataclass(frozen=True, slots=True)
class Finding:
    """One sentence and the ids of the ``indicators`` rows it rests on.

    ``methods`` are the ids of the methods-appendix entries the sentence names.
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


def change_findings(indicators: pd.DataFrame, *, area_code: str) -> list[Finding]:
    """One sentence per group on its change against the baseline, for the assessed area."""
    rows = indicators[
        (indicators["area_code"] == area_code) & indicators["change_pct"].notna()
    ].sort_values("indicator_id")
    findings = []
    for row in rows.to_dict("records"):
        change = float(row["change_pct"])
        if change == 0:
            continue
        direction = "increase" if change > 0 else "decline"
        test = f"{row['change_test']}, p = {float(row['change_p_value']):.3g}"
        verdict = (
            f"a statistically significant change ({test})"
            if bool(row["change_significant"])
            else f"not a statistically significant change ({test})"
        )
        name = str(row["indicator_name"])
        sentence = (
            f"There was {indefinite_article(f'{abs(change):.1f}')} {abs(change):.1f}% {direction}"
            f" in {name[0].lower() + name[1:]} "
            f"({int(row['numerator']):,} in {row['period']}) compared with "
            f"{row['baseline_period']} ({int(row['baseline_numerator']):,}), {verdict}."
        )
        findings.append(
            Finding(
                finding_id=f"change_{row['indicator_id']}",
                topic=str(row["indicator_id"]),
                sentence=sentence,
                row_ids=(str(row["row_id"]),),
                significant=bool(row["change_significant"]),
            )
        )
    return findings


def ward_findings(indicators: pd.DataFrame, *, area_name: str) -> list[Finding]:
    """For each group, the wards whose rate is significantly higher than the area's."""
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
        name = str(frame["indicator_name"].iloc[0])
        sentence = (
            f"{_join(names)} {verb} {rate_word} of {name[0].lower() + name[1:]} than the "
            f"{area_name} average (95% confidence intervals above the {area_name} rate)."
        )
        findings.append(
            Finding(
                finding_id=f"wards_higher_{indicator}",
                topic=str(indicator),
                sentence=sentence,
                row_ids=tuple(str(row_id) for row_id in frame["row_id"]),
            )
        )
    return findings


HEADLINE_TOPICS = ("all_crime", "asb")


def order_findings(findings: list[Finding]) -> list[Finding]:
    """Headline groups first, then significant changes, then ward comparisons, then the rest."""

    def key(finding: Finding) -> tuple[int, str]:
        if finding.topic in HEADLINE_TOPICS and finding.finding_id.startswith("change_"):
            return (0, str(HEADLINE_TOPICS.index(finding.topic)))
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
    """The findings as a table: ``finding_id, topic, sentence, row_ids`` (ids joined by ``;``)."""
    return pd.DataFrame(
        [
            {
                "finding_id": finding.finding_id,
                "topic": finding.topic,
                "sentence": finding.sentence,
                "row_ids": ";".join(finding.row_ids),
                "significant": finding.significant,
            }
            for finding in findings
        ],
        columns=["finding_id", "topic", "sentence", "row_ids", "significant"],
    )
