"""Sentences of the report written from artefact rows, each carrying the rows it cites.

Every number a sentence prints is formatted here from one cell of one artefact row, and kept
as a :class:`~safecity.report.document.Citation` (row id, table, column, text) beside the
sentence, so the printed figure can be checked against its row. Findings written by
``safecity assess`` are taken as they are, with their row ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from safecity.assess.families.benchmarking import VERSUS_WORDS
from safecity.assess.national_coverage import CoverageKind
from safecity.report.document import Citation, KeyFigure, Sentence
from safecity.report.evidence import CitedRow, RowIndex, split_row_ids
from safecity.report.formatting import (
    format_change,
    format_count,
    format_decimal,
    format_interval,
    format_p_value,
    format_percent,
    format_rate,
    format_score,
    format_signed_percent,
    is_missing,
)
from safecity.report.reader_words import table_words
from safecity.report.report_config import method_by_id, method_ids

Formatter = Callable[[object], str]

CRUDE_RATE = "crude_rate"
RATE_RATIO_TEST = "rate_ratio_test"
BENCHMARK_BY_INTERVAL = "fingertips_benchmark"
PRIORITY_SCORING = "priority_scoring"
CRIME_SEVERITY = "crime_severity"
RANKING = "ranking"
"""Ids of the methods-appendix entries the report's own sentences rest on."""


def plain_method(method_id: str) -> str:
    """The method ``method_id`` named in readers' words (``an exact test comparing ...``)."""
    method = method_by_id(method_id)
    if method is None:
        raise KeyError(f"methods_appendix.yaml has no method {method_id!r}")
    return method.plain


@dataclass(slots=True)
class SentenceBuilder:
    """Builds one sentence from parts, recording each cited value as it is printed."""

    parts: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    row_ids: list[str] = field(default_factory=list)

    def text(self, words: str) -> SentenceBuilder:
        """Add plain words."""
        self.parts.append(words)
        return self

    def value(self, row: CitedRow, column: str, formatter: Formatter) -> SentenceBuilder:
        """Add the value of ``column`` in ``row``, formatted, and cite it."""
        printed = cite(row, column, formatter)
        self.parts.append(printed.text)
        self.citations.append(printed)
        if row.row_id not in self.row_ids:
            self.row_ids.append(row.row_id)
        return self

    def build(self, *, methods: tuple[str, ...] = ()) -> Sentence:
        """The sentence (its parts joined as written), resting on the methods ``methods``."""
        return Sentence(
            text="".join(self.parts),
            row_ids=tuple(self.row_ids),
            citations=tuple(self.citations),
            methods=methods,
        )


def cite(row: CitedRow, column: str, formatter: Formatter) -> Citation:
    """The value of ``column`` in ``row`` formatted by ``formatter``, as a citation."""
    return Citation(
        row_id=row.row_id, table=row.table, column=column, text=formatter(row.values.get(column))
    )


def area_row(index: RowIndex, *, group_id: str, area_code: str, period: str) -> CitedRow | None:
    """The indicator row of crime group ``group_id`` for the whole area in ``period``."""
    return index.get(f"{group_id}:{area_code}:{period}")


def lower_first(text: str) -> str:
    """``text`` with its first letter in lower case, unless it starts an acronym (``ASB``)."""
    if len(text) > 1 and text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def significance_phrase(row: CitedRow) -> str:
    """Whether the change on the baseline was statistically significant, in words."""
    significant = row.values.get("change_significant")
    if is_missing(significant):
        return "not tested"
    return "statistically significant" if bool(significant) else "not statistically significant"


def per_unit(row: CitedRow) -> str:
    """What the rate counts per: ``"residents"`` or ``"households"``."""
    unit = row.values.get("denominator_type")
    return str(unit) if isinstance(unit, str) and unit else "residents"


def volume_sentence(row: CitedRow, *, area_name: str, period: str, noun: str) -> Sentence:
    """``In 2024/25, 29,682 crimes ... were recorded in X: 121.4 per 1,000 residents (CI).``"""
    builder = SentenceBuilder().text(f"In {period}, ")
    builder.value(row, "numerator", format_count).text(f" {noun} were recorded in {area_name}: ")
    builder.value(row, "value", format_rate).text(" per ")
    builder.value(row, "multiplier", format_count).text(f" {per_unit(row)} (95% confidence ")
    builder.text("interval ").value(row, "lower_ci", format_rate).text(" to ")
    builder.value(row, "upper_ci", format_rate).text(").")
    return builder.build(methods=(CRUDE_RATE,))


def change_sentence(row: CitedRow, *, subject: str) -> Sentence | None:
    """``That is a 2.0% increase on 2023/24 (29,114), a change that is statistically
    significant (an exact test comparing the two rates, p = 0.019).``

    The test is named in words, with a footnote to its entry in the methods appendix. When no
    change was computed and the row says why (``change_not_made``), the sentence says so.
    """
    if is_missing(row.values.get("change_pct")):
        return change_not_made_sentence(row)
    builder = SentenceBuilder().text(f"{subject} ")
    builder.value(row, "change_pct", format_change).text(" on ")
    builder.value(row, "baseline_period", str).text(" (")
    builder.value(row, "baseline_numerator", format_count).text(")")
    if is_missing(row.values.get("change_significant")):
        builder.text("; the change was not tested.")
        return builder.build()
    builder.text(f", a change that is {significance_phrase(row)} (")
    builder.text(plain_method(RATE_RATIO_TEST)).text(", ")
    builder.value(row, "change_p_value", format_p_value).text(").")
    return builder.build(methods=(RATE_RATIO_TEST,))


def change_not_made_sentence(row: CitedRow) -> Sentence | None:
    """Why the row has no change on the baseline (its ``change_not_made``), if it says."""
    reason = row.values.get("change_not_made")
    if not isinstance(reason, str) or not reason.strip():
        return None
    builder = SentenceBuilder().text("No change on the baseline is given: ")
    builder.value(row, "change_not_made", lambda value: str(value).strip().rstrip("."))
    return builder.text(".").build()


def harm_sentence(row: CitedRow, *, area_name: str) -> Sentence:
    """The crime severity score of the area with its interval and the index used."""
    builder = SentenceBuilder().text("Weighted by the severity of each offence (")
    builder.value(row, "index_name", str).text(", version ")
    builder.value(row, "index_version", str).text(f"), crime in {area_name} scored ")
    builder.value(row, "severity_score", format_decimal).text(" per resident (95% confidence ")
    builder.text("interval ").value(row, "lower_ci", format_decimal).text(" to ")
    builder.value(row, "upper_ci", format_decimal).text("); the average crime weighed ")
    builder.value(row, "mean_weight", format_decimal).text(".")
    return builder.build(methods=(CRIME_SEVERITY,))


def _versus(builder: SentenceBuilder, row: CitedRow, *, label_column: str) -> Sentence:
    """``… was significantly higher (its 95% confidence interval lies wholly above it).``"""
    verb, where = VERSUS_WORDS[str(row.values.get(label_column))]
    builder.text(f" was {verb.removesuffix(' than').removesuffix(' from')}")
    return builder.text(f" (its 95% confidence interval {where}).").build()


def _compared(row: CitedRow, label_column: str, rate_column: str) -> bool:
    return (
        not is_missing(row.values.get(rate_column))
        and str(row.values.get(label_column, "")) in VERSUS_WORDS
    )


def benchmark_sentences(row: CitedRow, *, area_name: str) -> list[Sentence]:
    """Position of the area against its nation, the CSPs loaded, and its comparator group.

    Only comparisons the artefact made are written, named as the artefact names them: the
    nation's figure ("England", or "England excluding …" for a labelled subset), the CSPs loaded
    with their members when the data do not cover the nation, and the comparator group with its
    members. Labels (Better, Similar, Worse by 95% confidence intervals) are put in words.
    """
    found: list[Sentence] = []
    values = row.values
    if _compared(row, "national_label", "national_rate"):
        builder = SentenceBuilder().text("Compared with ")
        if values.get("national_coverage") == CoverageKind.SUBSET.value:
            builder.text("the average of ").value(row, "national_name", str)
        else:
            builder.text("the ").value(row, "national_name", str).text(" average")
        builder.text(" of ").value(row, "national_rate", format_rate)
        builder.text(f" per 1,000, the rate in {area_name} (").value(row, "rate", format_rate)
        builder.text(" per 1,000)")
        found.append(_versus(builder, row, label_column="national_label"))
    if not is_missing(values.get("rank")):
        builder = SentenceBuilder().text(f"{area_name} ranked ")
        builder.value(row, "rank", format_count).text(" of ").value(row, "rank_of", format_count)
        builder.text(" ").value(row, "rank_scope", str).text(" by rate (1 = highest), ")
        builder.value(row, "band_description", str).text(".")
        found.append(builder.build())
    if not is_missing(values.get("regional_rank")):
        builder = SentenceBuilder().text("Among ").value(row, "regional_scope", str).text(" (")
        builder.value(row, "regional_members", str).text(f"), {area_name} ranked ")
        builder.value(row, "regional_rank", format_count).text(" of ")
        builder.value(row, "regional_rank_of", format_count).text(" by rate (1 = highest).")
        found.append(builder.build())
    if _compared(row, "regional_label", "regional_rate"):
        builder = SentenceBuilder().text("Compared with the average of these CSPs (")
        builder.value(row, "regional_rate", format_rate).text(" per 1,000) its rate")
        found.append(_versus(builder, row, label_column="regional_label"))
    if _compared(row, "comparator_label", "comparator_rate"):
        builder = SentenceBuilder().text("Compared with its comparator partnerships (")
        builder.value(row, "comparator_names", str).text("; average ")
        builder.value(row, "comparator_rate", format_rate).text(" per 1,000) its rate")
        found.append(_versus(builder, row, label_column="comparator_label"))
    return found


def benchmark_not_made(row: CitedRow) -> list[str]:
    """Why a national (or CSPs-loaded) comparison was not made, as notes ("No comparison …")."""
    notes = []
    nation = str(row.values.get("nation") or "the nation")
    for column, what in (
        ("national_not_made", f"with {nation}"),
        ("regional_not_made", "among the CSPs loaded"),
    ):
        reason = row.values.get(column)
        if isinstance(reason, str) and reason:
            notes.append(f"No comparison {what}: {reason.removeprefix('not made: ')}.")
    return notes


def key_figure(
    *,
    label: str,
    row: CitedRow,
    column: str,
    formatter: Formatter,
    detail: SentenceBuilder,
    methods: tuple[str, ...] = (),
) -> KeyFigure:
    """A key-figure box showing ``column`` of ``row`` with a cited line of detail (and the
    methods it rests on, as footnotes)."""
    shown = cite(row, column, formatter)
    line = detail.build()
    return KeyFigure(
        label=label,
        value=shown.text,
        detail=line.text,
        citations=(shown, *line.citations),
        methods=methods,
    )


def rate_key_figure(*, row: CitedRow, label: str) -> KeyFigure:
    """A key-figure box of ``row``'s rate with its 95% confidence interval."""
    return key_figure(
        label=label,
        row=row,
        column="value",
        formatter=format_rate,
        detail=SentenceBuilder()
        .text("95% confidence interval ")
        .value(row, "lower_ci", format_rate)
        .text(" to ")
        .value(row, "upper_ci", format_rate),
    )


def change_key_figure(*, row: CitedRow, label: str) -> KeyFigure:
    """A key-figure box of ``row``'s change, its significance (test footnoted) and p-value."""
    detail = SentenceBuilder().text(significance_phrase(row))
    if is_missing(row.values.get("change_significant")):
        return key_figure(
            label=label,
            row=row,
            column="change_pct",
            formatter=format_signed_percent,
            detail=detail,
        )
    return key_figure(
        label=label,
        row=row,
        column="change_pct",
        formatter=format_signed_percent,
        detail=detail.text(", ").value(row, "change_p_value", format_p_value),
        methods=(RATE_RATIO_TEST,),
    )


def headline_key_figures(
    *, crime: CitedRow | None, harm: CitedRow | None, asb: CitedRow | None
) -> tuple[KeyFigure, ...]:
    """The summary's boxes: crimes, rate, change, severity, anti-social behaviour."""
    boxes: list[KeyFigure] = []
    if crime is not None:
        boxes.append(
            key_figure(
                label="Recorded crimes",
                row=crime,
                column="numerator",
                formatter=format_count,
                detail=SentenceBuilder().text("in ").value(crime, "period", str),
            )
        )
        boxes.append(rate_key_figure(row=crime, label=f"Crimes per 1,000 {per_unit(crime)}"))
        if not is_missing(crime.values.get("change_pct")):
            boxes.append(
                change_key_figure(
                    row=crime, label=f"Change on {crime.values.get('baseline_period')}"
                )
            )
    if harm is not None:
        boxes.append(
            key_figure(
                label="Crime severity per resident",
                row=harm,
                column="severity_score",
                formatter=format_decimal,
                detail=SentenceBuilder().value(harm, "index_name", str),
            )
        )
    if asb is not None:
        boxes.append(
            key_figure(
                label="Anti-social behaviour incidents",
                row=asb,
                column="numerator",
                formatter=format_count,
                detail=SentenceBuilder().value(asb, "change_pct", format_change),
            )
        )
    return tuple(boxes)


def finding_sentences(
    findings: pd.DataFrame | None, *, index: RowIndex, drop_suppressed: bool
) -> list[Sentence]:
    """The artefact's findings as sentences, keeping only those whose rows the audience reads.

    A finding citing a row the audience cannot read (a person-level table in the public
    audience) is left out, so no section shows what its audience may not see. A finding's
    ``methods`` (ids of methods-appendix entries, ``;``-joined) become its footnotes; an older
    artefact without the column gives none. With
    ``drop_suppressed`` (the public audience), so is a finding citing a row that disclosure
    control suppressed: its sentence would print the count the table hides.
    """
    if findings is None or findings.empty:
        return []
    found: list[Sentence] = []
    for record in findings.to_dict("records"):
        row_ids = split_row_ids(record.get("row_ids"))
        if not row_ids or not index.has_all(row_ids):
            continue
        if drop_suppressed and not index.suppressed.isdisjoint(row_ids):
            continue
        found.append(
            Sentence(
                text=" ".join(str(record["sentence"]).split()),
                row_ids=row_ids,
                finding_id=str(record["finding_id"]),
                methods=method_ids(record.get("methods")),
            )
        )
    return found


def finding_topics(findings: pd.DataFrame | None) -> dict[str, str]:
    """Finding id -> topic (crime group id, or ``harm``, ``priorities``)."""
    if findings is None or findings.empty:
        return {}
    return {
        str(finding_id): str(topic)
        for finding_id, topic in zip(findings["finding_id"], findings["topic"], strict=True)
    }


def evidence_text(row: CitedRow | None, row_id: str) -> tuple[str, tuple[Citation, ...]]:
    """A cited row of a priority, described with its figures (and what they cite)."""
    if row is None:
        return "a figure not published in this edition", ()
    if row.table == "indicators":
        builder = SentenceBuilder().value(row, "indicator_name", str).text(": ")
        builder.value(row, "numerator", format_count).text(" in ")
        builder.value(row, "period", str).text(", ").value(row, "value", format_rate)
        builder.text(" per 1,000")
        if not is_missing(row.values.get("change_pct")):
            builder.text("; ").value(row, "change_pct", format_change).text(" on ")
            builder.value(row, "baseline_period", str)
        line = builder.build()
        return line.text, line.citations
    if row.table == "harm_by_crime_group":
        builder = SentenceBuilder().text("Harm of ")
        builder.value(row, "name", lambda name: lower_first(str(name))).text(": ")
        builder.value(row, "harm_share_pct", format_percent).text(" of all harm from ")
        builder.value(row, "volume_share_pct", format_percent).text(" of crimes")
        line = builder.build()
        return line.text, line.citations
    if row.table == "benchmarking" and not is_missing(row.values.get("rank")):
        builder = SentenceBuilder().value(row, "group_name", str).text(": ")
        builder.value(row, "rate", format_rate).text(" per 1,000; ranked ")
        builder.value(row, "rank", format_count).text(" of ")
        builder.value(row, "rank_of", format_count).text(" partnerships by rate (1 = highest)")
        line = builder.build()
        return line.text, line.citations
    return f"figures of {table_words(row.table)}", ()


PRIORITY_CRITERIA = (
    ("volume", "Volume"),
    ("trend", "Trend"),
    ("harm", "Harm"),
    ("comparator_position", "Comparator position"),
    ("vulnerability", "Vulnerability"),
    ("confidence", "Confidence"),
)


def priority_sentence(top: CitedRow) -> Sentence:
    """``Violent crime ranks 2 of the priorities with a score of 21.``"""
    builder = SentenceBuilder().value(top, "group_name", str).text(" ranks ")
    builder.value(top, "rank", format_count).text(" with a priority score of ")
    builder.value(top, "priority_score", format_score).text(".")
    return builder.build(methods=(PRIORITY_SCORING,))


def interval_text(row: CitedRow, lower: str, upper: str) -> str:
    """The interval of ``row`` from columns ``lower`` and ``upper`` (already formatted)."""
    return format_interval(row.values.get(lower), row.values.get(upper))
